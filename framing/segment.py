"""Locating spans in an article: sentences (sentencex, rule-based and compiled, which knows
"U.S." and "Sen.") and quotations (straight or curly double quotes, curly single quotes).

sentencex replaced pysbd here: it splits the same news sentences (tests/test_segment.py) in
under a millisecond per article where pysbd took 40-100 ms, most of `analyze`'s time budget.

Every span is a (start, end) pair of character offsets such that text[start:end] is
exactly the span's text; sentence spans exclude surrounding whitespace.
"""

from __future__ import annotations

import re
from typing import Optional

import sentencex

Span = tuple[int, int]


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans in order, covering every non-space character of `text`.

    sentencex proposes where sentences end; the spans are then cut at those ends, so text
    that it drops or alters still lands in a sentence. Paragraph breaks always end a sentence.
    """
    spans: list[Span] = []
    for paragraph in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):  # blocks between blank lines
        ends, cursor = [], paragraph.start()
        for sentence in sentencex.segment("en", paragraph.group()):
            found = text.find(sentence.strip(), cursor, paragraph.end()) if sentence.strip() else -1
            if found >= 0:
                cursor = found + len(sentence.strip())
                ends.append(cursor)
        start = paragraph.start()
        for end in ends[:-1] + [paragraph.end()]:
            piece = text[start:end]
            if piece.strip():
                left = start + len(piece) - len(piece.lstrip())
                spans.append((left, left + len(piece.strip())))
            start = end
    return spans


OPENERS = {"“": "”", "‘": "’", '"': '"', "«": "»"}


def quotation_spans(text: str) -> list[Span]:
    """Spans of quoted speech, quote marks included. A quote left open runs to the end of its
    paragraph, as news style does for quotes continued in the next paragraph."""
    spans: list[Span] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in OPENERS and _opens(text, i):
            closer = OPENERS[char]
            paragraph_end = text.find("\n\n", i)
            paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
            end = _find_closer(text, i + 1, closer, paragraph_end) or paragraph_end
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


# Words that begin with an apostrophe, often typeset as an opening single quote: ‘Tis, ‘90s
ELISIONS = re.compile(r"(?:tis|twas|twill|em|til|till|cause|cos|n|bout|round|nuff|kay|s|\d)\b", re.IGNORECASE)


def _opens(text: str, i: int) -> bool:
    """A single curly quote opens a quote only where no word continues before it, no elision
    follows it (‘Tis, ‘em, ‘90s) and its closing quote comes within the paragraph: else it is
    an apostrophe, and the writer's own words after it are not quoted speech."""
    if text[i] != "‘":
        return True
    if i > 0 and text[i - 1].isalnum():
        return False
    if ELISIONS.match(text, i + 1):
        return False
    paragraph_end = text.find("\n\n", i)
    return _find_closer(text, i + 1, "’", len(text) if paragraph_end < 0 else paragraph_end) is not None


def _find_closer(text: str, start: int, closer: str, limit: int) -> Optional[int]:
    """The end of the quote (after its closing mark) before `limit`, or None."""
    for j in range(start, limit):
        if text[j] == closer and (closer != "’" or j + 1 >= len(text) or not text[j + 1].isalpha()):
            return j + 1
    return None


def overlap(span: Span, others: list[Span]) -> int:
    """Number of characters of `span` covered by `others` (which do not overlap each other)."""
    return sum(max(0, min(span[1], b) - max(span[0], a)) for a, b in others)
