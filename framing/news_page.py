"""What a user hands in as an article: plain text, or a saved news page (HTML) whose title and
body are extracted with trafilatura, dropping navigation, captions, related links, share
buttons and comments. Anything else (a PDF, an image, an archive) is refused by name.

The analysis of a page refers to the extracted text: every offset is into `Article.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from framing.errors import FramingError

# How binary files begin (their "magic numbers"), to name what was handed in instead of text.
SIGNATURES = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a zip archive (or a Word, OpenDocument or EPUB file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"%!PS", "a PostScript document"),
]
FORMATS = ("auto", "text", "html")
# An HTML document: a doctype or one of the tags a page starts with, after optional comments.
HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
                        re.IGNORECASE | re.DOTALL)
# Block elements of trafilatura's output that are paragraphs of the article (its XML schema).
BLOCKS = {"p", "head", "item", "quote", "list"}


@dataclass(frozen=True)
class Article:
    text: str  # what is analyzed: the title, then the paragraphs, separated by blank lines
    title: Optional[str]
    source_format: str  # "text" or "html"


def decode_document(data: bytes, source: str) -> str:
    """UTF-8 bytes of text or HTML as a string (a leading BOM dropped), or one error line
    naming `source` and what the bytes look like (a PDF, an image, ...) or where they stop
    being UTF-8."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise FramingError(f"{source}: this is {kind}, not text or HTML (save the article as text or as a web page)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows "Unicode" text; every input here is UTF-8
        raise FramingError(f"{source}: UTF-16 text, not UTF-8 (save it as UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if b"\x00" in data[:4096]:
            raise FramingError(f"{source}: binary data, not text or HTML") from None
        raise FramingError(f"{source}: not valid UTF-8 ({error.reason} at byte {error.start})") from None
    if "\x00" in text:
        raise FramingError(f"{source}: binary data (NUL characters), not text or HTML")
    return text


def read_document(path: str) -> str:
    """A text or HTML file's contents (see decode_document)."""
    try:
        return decode_document(Path(path).read_bytes(), path)
    except FileNotFoundError:
        raise FramingError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise FramingError(f"{path}: a folder, not a file") from None


def is_html(document: str) -> bool:
    return HTML_START.match(document) is not None


def article_from(document: str, source_format: str = "auto", source: str = "article") -> Article:
    """The article in `document`: plain text as it is, or the title and body of an HTML page
    (`source_format="auto"` takes a document that starts like a web page as one)."""
    if source_format not in FORMATS:
        raise FramingError(f"format {source_format!r}: expected one of {', '.join(FORMATS)}")
    if not isinstance(document, str):
        raise FramingError(f"expected an article as a string, got {type(document).__name__}")
    if source_format == "text" or (source_format == "auto" and not is_html(document)):
        return Article(text=document, title=None, source_format="text")
    return _extract(document, source)


def _extract(html: str, source: str) -> Article:
    import trafilatura

    # favor_precision: leave out what might be boilerplate (bylines, link lists, comment prompts)
    page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                       include_images=False, include_links=False, favor_precision=True)
    paragraphs = _paragraphs(page.body) if page is not None and page.body is not None else []
    if not paragraphs:
        raise FramingError(f"{source}: no article text found in this page (is it a news article, or only a front page or form?)")
    title = _clean(page.title) if page.title else None
    if title and _clean(paragraphs[0]) != title:
        paragraphs.insert(0, title)  # the headline is part of how a story frames its event
    return Article(text="\n\n".join(paragraphs), title=title or paragraphs[0], source_format="html")


def _paragraphs(body) -> list[str]:
    """The text of each block of trafilatura's output, list items apart, whitespace collapsed."""
    paragraphs = []
    for element in body.iter():
        if element.tag not in BLOCKS or element.tag == "list":
            continue
        if element.tag == "p" and element.getparent() is not None and element.getparent().tag in ("quote", "item"):
            continue  # its text is the enclosing block's
        text = _clean("".join(element.itertext()))
        if text:
            paragraphs.append(text)
    return paragraphs


def _clean(text: str) -> str:
    return " ".join(text.split())
