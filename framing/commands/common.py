"""What several commands read: an article from a file or standard input, standard input as
text, and whether to show progress bars."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def read_article(name: str, source_format: str = "auto"):
    """The article in a text or HTML file (a .html/.htm name is a page), or in standard input
    for "-"; refused by name when it is neither or holds no article."""
    from framing.news_page import article_from, read_document

    if source_format == "auto" and Path(name).suffix.lower() in (".html", ".htm"):
        source_format = "html"
    document = read_stdin() if name == "-" else read_document(name)
    return article_from(document, source_format, source="standard input" if name == "-" else name)


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars for long work, on a terminal only (not in logs or pipes), unless --no-progress."""
    return not args.no_progress and sys.stderr.isatty()


def read_stdin() -> str:
    """Standard input as UTF-8 text (see framing.news_page.decode_document)."""
    from framing.news_page import decode_document

    return decode_document(sys.stdin.buffer.read(), "standard input")
