"""What a user hands in as an article: plain text, or a saved news page (HTML) whose title and
body are extracted with trafilatura, dropping navigation, captions, related links, share
buttons and comments. Anything else (a PDF, an image, an archive) is refused by name.

The analysis of a page refers to the extracted text: every offset is into `Article.text`.
"""

from __future__ import annotations

import codecs
import multiprocessing
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from framing.deadline import remaining_seconds
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
HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
                        re.IGNORECASE | re.DOTALL)
# Pages often open with junk before their markup (a server's "Warning: Cannot modify header
# information ..." line, a bare <style> or <script>): near the start, a doctype or an
# <html>/<head>/<body> tag anywhere, or a tag of a page opening a line, makes a page. A plain
# text that names a tag ("strips <script> tags") names it inside a line.
HEAD_CHARS = 4096
PAGE_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body)\b[^<>]*>", re.IGNORECASE)
LINE_TAG = re.compile(r"^[ \t]*<(?:meta|title|link|base|noscript|style|script|div|p|article|section|main|header|nav|"
                      r"footer|table|ul|ol|h[1-6]|form|iframe|span)\b[^<>]*>", re.IGNORECASE | re.MULTILINE)
# Raw CSS or JavaScript anywhere (a closed <style> or <script>) is markup, never article text.
RAW_CODE_OPEN = re.compile(r"<(?:script|style)\b[^<>]*>", re.IGNORECASE)
RAW_CODE_CLOSE = re.compile(r"</(?:script|style)\s*>", re.IGNORECASE)
# Labels browsers read as another encoding (the WHATWG Encoding standard): "ISO-8859-1" and
# "ASCII" pages are windows-1252, and a byte page cannot be in the UTF-16 it may declare.
BROWSER_ENCODINGS = {"iso8859_1": "cp1252", "ascii": "cp1252", "iso8859_9": "cp1254", "iso8859_11": "cp874",
                     "utf_16": "utf-8", "utf_16_le": "utf-8", "utf_16_be": "utf-8"}
# A page's declared encoding, for pages saved in one other than UTF-8 (older sites: windows-1252)
CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# Block elements of trafilatura's output that are paragraphs of the article (its XML schema).
BLOCKS = {"p", "head", "item", "quote", "list"}
# Promotions written as ordinary paragraphs inside a story, which trafilatura keeps: link-ins
# ("RELATED: ...", "Read more: ..."), ad labels, newsletter and comment prompts, photo credits.
# Only short paragraphs are dropped, so a sentence of the story that mentions them stays.
PROMO = re.compile(
    # a label with a colon (or alone): "RELATED: ...", "Read more:", "Photo: ...", "Advertisement"
    r"^(?:related|read more|read also|see also|more from|recommended|watch|listen|photo|image|credit|"
    r"advertisement|sponsored(?: content)?)\s*(?::|$)|^photo by\b"
    # an imperative aimed at the reader
    r"|^(?:click|tap) here\b|^sign up\b|^subscribe\b|^join the conversation\b|^leave a comment\b"
    r"|\b(?:getty images|ap photo)\b", re.IGNORECASE)
PROMO_WORDS = 16


@dataclass(frozen=True)
class Article:
    text: str  # what is analyzed: the title, then the paragraphs, separated by blank lines
    title: Optional[str]
    source_format: str  # "text" or "html"


def decode_document(data: bytes, source: str) -> str:
    """Bytes of text or HTML as a string (a leading BOM dropped), or one error line naming
    `source` and what the bytes look like (a PDF, an image, ...) or where they stop being
    UTF-8. A page is decoded leniently, as browsers do (see _decode_page); plain text must
    be UTF-8 without NULs."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise FramingError(f"{source}: this is {kind}, not text or HTML (save the article as text or as a web page)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows "Unicode" text; every input here is UTF-8
        raise FramingError(f"{source}: UTF-16 text, not UTF-8 (save it as UTF-8)")
    if _looks_like_page(data):
        return _decode_page(data)
    try:  # plain text stays strict: a bad byte there is more likely a file in another format
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


def _looks_like_page(data: bytes) -> bool:
    """Whether bytes start like a web page (NULs aside). Mostly NULs is binary or UTF-16
    without its mark, which is not read as a page."""
    head = data[:HEAD_CHARS]
    return head.count(b"\x00") * 4 < len(head) and is_html(head.replace(b"\x00", b"").decode("latin-1"))


def _decode_page(data: bytes) -> str:
    """A page's bytes read as browsers read them, never refused for a stray byte: UTF-8 when
    they all are (a saved page loses the HTTP header that overrode a stale <meta charset>),
    else the declared encoding, else UTF-8; a byte that does not fit becomes U+FFFD, and NULs
    are dropped (browsers ignore them)."""
    data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "utf-8" if data.startswith(b"\xef\xbb\xbf") else _declared_encoding(data[:HEAD_CHARS])
        return data.decode(encoding or "utf-8", errors="replace").removeprefix("\ufeff")


def _declared_encoding(head: bytes) -> Optional[str]:
    """The Python codec for a page's <meta charset> as browsers take it, or None (no or an
    unknown declaration)."""
    declared = CHARSET.search(head)
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.group(1).decode("ascii")).name.replace("-", "_")
    except (LookupError, UnicodeDecodeError):
        return None
    return BROWSER_ENCODINGS.get(name, name)


def is_html(document: str) -> bool:
    """Whether `document` is a web page: it starts like one, holds page markup near its start
    after leading junk, or holds raw CSS or JavaScript anywhere."""
    if HTML_START.match(document) is not None:
        return True
    head = document[:HEAD_CHARS]
    if PAGE_TAG.search(head) or LINE_TAG.search(head):
        return True
    return RAW_CODE_OPEN.search(document) is not None and RAW_CODE_CLOSE.search(document) is not None


def is_page(document: str, source_format: str = "auto") -> bool:
    """Whether `document` is analyzed as a web page (its extracted text) rather than as text."""
    return source_format == "html" or (source_format == "auto" and is_html(document))


def article_from(document: str, source_format: str = "auto", source: Optional[str] = None) -> Article:
    """The article in `document`: plain text as it is, or the title and body of an HTML page
    (`source_format="auto"` takes a document that starts like a web page as one). `source`
    (a file name) begins the error of a page without an article."""
    if source_format not in FORMATS:
        raise FramingError(f"format {source_format!r}: expected one of {', '.join(FORMATS)}")
    if not isinstance(document, str):
        raise FramingError(f"expected an article as a string, got {type(document).__name__}")
    if not is_page(document, source_format):
        return Article(text=document, title=None, source_format="text")
    return _extract(document, source)


def _extract(html: str, source: Optional[str]) -> Article:
    html = html[_markup_start(html):]
    remaining = remaining_seconds()
    title, paragraphs = _title_and_paragraphs(html) if remaining is None else EXTRACTOR.run(html, remaining)
    if not paragraphs:
        where = f"{source}: " if source else ""
        raise FramingError(f"{where}no article text found in this page (is it a news article, or only a front page or form?)")
    if title in paragraphs[:3]:  # after a kicker ("LOCAL NEWS") or a byline: it leads the text
        paragraphs.remove(title)
    if title:
        paragraphs.insert(0, title)  # the headline is part of how a story frames its event
    return Article(text="\n\n".join(paragraphs), title=title, source_format="html")


def _markup_start(html: str) -> int:
    """Where a page's markup begins after leading junk (a server warning), which is no part of
    the article, and which makes lxml take a page that opens with text for no page at all."""
    if HTML_START.match(html):
        return 0
    head = html[:HEAD_CHARS]
    found = [m.start() for m in (PAGE_TAG.search(head), LINE_TAG.search(head), RAW_CODE_OPEN.search(head)) if m]
    return min(found, default=0)


def _title_and_paragraphs(html: str) -> tuple[Optional[str], list[str]]:
    import trafilatura

    # favor_precision: leave out what might be boilerplate (bylines, link lists, comment prompts)
    page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                       include_images=False, include_links=False, favor_precision=True)
    if page is None or page.body is None:
        return None, []
    return (_clean(page.title) if page.title else None), _paragraphs(page.body)


class Extractor:
    """trafilatura in a child process, so that an extraction past its time limit (an HTTP
    request's) is stopped: it is pure Python and superlinear on some pages (one paragraph of
    4,000 links takes 2.6 s, of 40,000 minutes), and a thread cannot be stopped; the child is
    killed, and the next page starts a new one. One page at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process = self._connection = None

    def run(self, html: str, seconds: float) -> tuple[Optional[str], list[str]]:
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()  # its start-up (importing trafilatura) is not counted against the limit
            self._connection.send(html)
            if seconds <= 0 or not self._connection.poll(seconds):
                self._kill()
                threading.Thread(target=self.warm, daemon=True).start()  # the next page need not wait for it
                raise TimeoutError("extracting the page's article passed the time limit")
            ok, value = self._connection.recv()
        if not ok:
            raise FramingError(f"cannot read this page as HTML ({value})")
        return value

    def warm(self) -> None:
        """Start the child now (a server does at start-up), so no request waits for it."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process holding threads and sessions
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_extract_forever, args=(child,), daemon=True, name="framing-extractor")
        self._process.start()
        child.close()
        if not self._connection.poll(120) or self._connection.recv() != "ready":
            self._kill()
            raise FramingError("the page extractor did not start")

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        self._process = self._connection = None


def _extract_forever(connection) -> None:
    """The child's loop: an HTML document in, (True, (title, paragraphs)) or (False, why) out.
    It ends quietly when its parent has gone (a server stopped while it was starting)."""
    import trafilatura  # noqa: F401  (imported before "ready", so a page's time is its own)

    try:
        connection.send("ready")
        while True:
            html = connection.recv()
            try:
                answer = (True, _title_and_paragraphs(html))
            except Exception as error:  # a parser failure goes back as one line, the child lives on
                answer = (False, f"{type(error).__name__}: {error}")
            connection.send(answer)
    except (EOFError, OSError):  # the parent closed its end (BrokenPipeError is an OSError)
        return


EXTRACTOR = Extractor()


def _paragraphs(body) -> list[str]:
    """The own text of each block of trafilatura's output (a quote's paragraphs and a list's
    items each apart, nested blocks not repeated), whitespace collapsed, promotions dropped."""
    paragraphs = []
    for element in body.iter(*BLOCKS):
        text = _clean(_own_text(element))
        if text and not _is_promo(text):
            paragraphs.append(text)
    return paragraphs


def _own_text(element) -> str:
    """Text of `element` without the blocks nested in it (they are paragraphs of their own);
    a line break (<lb/>) is a space, so its two lines do not run together."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append(" ")
        elif child.tag not in BLOCKS:
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _is_promo(text: str) -> bool:
    words = text.split()
    if len(words) > PROMO_WORDS:
        return False
    kicker = len(words) <= 3 and text.isupper()  # a section label over the headline: "LOCAL NEWS"
    return kicker or PROMO.search(text) is not None


def _clean(text: str) -> str:
    return " ".join(text.split())
