"""What a user hands in as an article: plain text, or a saved news page (HTML, or a web archive
of one: MHTML) whose headline and body are extracted (framing.page_extract, with trafilatura),
dropping navigation, sidebars, captions and credits, related links, share buttons, paywall
prompts and comments. Anything else (a PDF, an image, an archive) is refused by name.

The analysis of a page refers to the extracted text: every offset is into `Article.text`, and
`Article.quotes` holds the spans of it that the page set as quotations (<blockquote>).
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
from framing.page_mhtml import is_mhtml, page_in_mhtml
from framing.page_text import is_promo as _is_promo  # noqa: F401  (where callers and tests found it)

# How binary files begin (their "magic numbers"), to name what was handed in instead of text.
SIGNATURES = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a zip archive (or a Word, OpenDocument or EPUB file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"%!PS", "a PostScript document"),
]
FORMATS = ("auto", "text", "html")
# An HTML document: a doctype or one of the tags a page starts with, after optional comments.
HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
# Pages often open with junk before their markup (a server's "Warning: Cannot modify header
# information ..." line, a bare <style> or <script>): near the start, a doctype or an
# <html>/<head>/<body> tag anywhere, or a tag of a page opening a line, makes a page. A plain
# text that names a tag ("strips <script> tags") names it inside a line.
HEAD_CHARS = 4096
PAGE_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body)\b[^<>]*>", re.IGNORECASE)
LINE_TAG = re.compile(
    r"^[ \t]*<(?:meta|title|link|base|noscript|style|script|div|p|article|section|main|header|nav|"
    r"footer|table|ul|ol|h[1-6]|form|iframe|span)\b[^<>]*>",
    re.IGNORECASE | re.MULTILINE,
)
# Raw CSS or JavaScript anywhere (a closed <style> or <script>) is markup, never article text.
RAW_CODE_OPEN = re.compile(r"<(?:script|style)\b[^<>]*>", re.IGNORECASE)
RAW_CODE_CLOSE = re.compile(r"</(?:script|style)\s*>", re.IGNORECASE)
# Labels browsers read as another encoding (the WHATWG Encoding standard): "ISO-8859-1" and
# "ASCII" pages are windows-1252, and a byte page cannot be in the UTF-16 it may declare.
BROWSER_ENCODINGS = {
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "utf_16": "utf-8",
    "utf_16_le": "utf-8",
    "utf_16_be": "utf-8",
}
# A page's declared encoding, for pages saved in one other than UTF-8 (older sites: windows-1252):
# its <meta charset>, or the encoding of an XHTML page's <?xml?> line.
CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)"
    rb"|\A\s*<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)",
    re.IGNORECASE,
)
# Paragraphs of an extracted article are separated by a blank line.
SEPARATOR = "\n\n"
# Marks that open a quotation (framing.segment's), at the start of a quoted paragraph.
OPENING_MARKS = tuple('“‘"«„')


@dataclass(frozen=True)
class Article:
    text: str  # what is analyzed: the title, then the paragraphs, separated by blank lines
    title: Optional[str]
    source_format: str  # "text" or "html"
    # Spans of `text` that the page sets as quotations (a <blockquote> without quotation marks
    # of its own): the speaker's words, never the writer's, though no quotation mark says so.
    quotes: tuple[tuple[int, int], ...] = ()


def decode_document(data: bytes, source: str) -> str:
    """Bytes of text or HTML as a string (a leading BOM dropped), or one error line naming
    `source` and what the bytes look like (a PDF, an image, ...) or where they stop being
    UTF-8. A page is decoded leniently, as browsers do (see _decode_page); plain text must
    be UTF-8 without NULs."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise FramingError(
                f"{source}: this is {kind}, not text or HTML (save the article as text or as a web page)"
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows "Unicode" text; every input here is UTF-8
        raise FramingError(f"{source}: UTF-16 text, not UTF-8 (save it as UTF-8)")
    if is_mhtml(data):  # a page saved as a single file: the page inside, never its MIME text
        return _page_in_archive(data, source)
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


def _page_in_archive(data: bytes, source: str) -> str:
    """The page inside a web archive (MHTML), decoded; refused when what is inside is no page."""
    page = _decode_page(*page_in_mhtml(data, source))
    if not is_html(page):
        raise FramingError(f"{source}: the web page in this saved web archive (MHTML) is not HTML (a damaged file?)")
    return page


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


def _decode_page(data: bytes, charset: Optional[str] = None) -> str:
    """A page's bytes read as browsers read them, never refused for a stray byte: in the
    charset its web archive declares for it, else UTF-8 when they all are (a saved page loses
    the HTTP header that overrode a stale <meta charset>), else the declared encoding, else
    UTF-8; a byte that does not fit becomes U+FFFD, and NULs are dropped (browsers ignore them)."""
    data = data.replace(b"\x00", b"")
    if charset and _browser_codec(charset):
        return data.decode(_browser_codec(charset), errors="replace").removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "utf-8" if data.startswith(b"\xef\xbb\xbf") else _declared_encoding(data[:HEAD_CHARS])
        return data.decode(encoding or "utf-8", errors="replace").removeprefix("\ufeff")


def _declared_encoding(head: bytes) -> Optional[str]:
    """The Python codec for a page's <meta charset> as browsers take it, or None (no or an
    unknown declaration)."""
    declared = CHARSET.search(head)
    return _browser_codec((declared.group(1) or declared.group(2)).decode("ascii")) if declared else None


def _browser_codec(label: str) -> Optional[str]:
    """The Python codec browsers use for an encoding's label, or None for an unknown label."""
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    return BROWSER_ENCODINGS.get(name, name)


def is_html(document: str) -> bool:
    """Whether `document` is a web page: it starts like one, is a saved web archive (MHTML),
    holds page markup near its start after leading junk, or holds raw CSS or JavaScript anywhere."""
    if HTML_START.match(document) is not None:
        return True
    head = document[:HEAD_CHARS]
    if is_mhtml(head.encode("utf-8", "replace")):
        return True
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
    if is_mhtml(document[:HEAD_CHARS].encode("utf-8", "replace")):  # a web archive's text (an HTTP request's)
        document = _page_in_archive(document.encode("utf-8", "replace"), source or "the page")
    return _extract(document, source)


def _extract(html: str, source: Optional[str]) -> Article:
    html = html[_markup_start(html) :]
    remaining = remaining_seconds()
    if remaining is None:
        from framing.page_extract import title_and_paragraphs  # lxml and trafilatura, only for a page

        title, paragraphs = title_and_paragraphs(html)
    else:
        title, paragraphs = EXTRACTOR.run(html, remaining)
    if not paragraphs:
        where = f"{source}: " if source else ""
        raise FramingError(
            f"{where}no article text found in this page (is it a news article, or only a front page or form?)"
        )
    if title:
        paragraphs.insert(0, (title, False))  # the headline is part of how a story frames its event
    text, quotes, offset = [], [], 0
    for paragraph, quoted in paragraphs:
        # a quotation with its own marks is quoted by them (the words around them are the writer's)
        if quoted and not paragraph.startswith(OPENING_MARKS):
            quotes.append((offset, offset + len(paragraph)))
        text.append(paragraph)
        offset += len(paragraph) + len(SEPARATOR)
    return Article(text=SEPARATOR.join(text), title=title, source_format="html", quotes=tuple(quotes))


def _markup_start(html: str) -> int:
    """Where a page's markup begins after leading junk (a server warning), which is no part of
    the article, and which makes lxml take a page that opens with text for no page at all."""
    if HTML_START.match(html):
        return 0
    head = html[:HEAD_CHARS]
    found = [m.start() for m in (PAGE_TAG.search(head), LINE_TAG.search(head), RAW_CODE_OPEN.search(head)) if m]
    return min(found, default=0)


class Extractor:
    """trafilatura in a child process, so that an extraction past its time limit (an HTTP
    request's) is stopped: it is pure Python and superlinear on some pages (one paragraph of
    4,000 links takes 2.6 s, of 40,000 minutes), and a thread cannot be stopped; the child is
    killed, and the next page starts a new one. One page at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process = self._connection = None

    def run(self, html: str, seconds: float) -> tuple[Optional[str], list[tuple[str, bool]]]:
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

    from framing.page_extract import title_and_paragraphs

    try:
        connection.send("ready")
        while True:
            html = connection.recv()
            try:
                answer = (True, title_and_paragraphs(html))
            except Exception as error:  # a parser failure goes back as one line, the child lives on
                answer = (False, f"{type(error).__name__}: {error}")
            connection.send(answer)
    except (EOFError, OSError):  # the parent closed its end (BrokenPipeError is an OSError)
        return


EXTRACTOR = Extractor()
