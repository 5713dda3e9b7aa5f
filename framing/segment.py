"""Locating spans in an article: paragraphs, sentences (sentencex, rule-based and compiled,
which knows "U.S." and "Sen.") and quotations (straight or curly double quotes, curly single
quotes).

sentencex replaced pysbd here: it splits the same news sentences (tests/test_segment.py) in
under a millisecond per article where pysbd took 40-100 ms, most of `analyze`'s time budget.

Every span is a (start, end) pair of character offsets (code points: Python string indices)
such that text[start:end] is exactly the span's text; sentence spans exclude surrounding
whitespace. Every step is linear in the text (or n log n) and checks the caller's deadline
between paragraphs (framing.deadline): an article built to be slow (quote marks that never
close, one paragraph of 100,000 characters) cannot hold the model past its time limit.
"""

from __future__ import annotations

import bisect
import re
from typing import Optional

import sentencex

from framing.deadline import check_deadline

Span = tuple[int, int]

# The one definition of a paragraph break, used by the sentence splitter and the quote finder:
# a paragraph separator (U+2029), or a line break, any horizontal space, and another line break
# (a blank line, also one holding spaces). Line breaks are those of str.splitlines: \n, \r\n,
# \r, \v, \f, \x1c-\x1e, U+0085 and the line separator U+2028. The match starts at a line
# break, never at a space, so a long run of spaces is not scanned once per space.
_LINE_BREAK = r"(?:\r\n|\r(?!\n)|[\n\v\f\x1c\x1d\x1e\x85\u2028])"  # \r\n is one break, never two
_SPACE = r"[^\S\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]"  # whitespace that is not a line break
PARAGRAPH_BREAK = re.compile(rf"(?:\u2029|{_LINE_BREAK}{_SPACE}*(?:{_LINE_BREAK}|\u2029))\s*")


def paragraph_spans(text: str) -> list[Span]:
    """The blocks of `text` between paragraph breaks that hold more than whitespace, in order."""
    spans, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans in order, covering every non-space character of `text`.

    sentencex proposes where sentences end; the spans are then cut at those ends, so text
    that it drops or alters still lands in a sentence. Paragraph breaks always end a sentence.
    """
    spans: list[Span] = []
    for paragraph_start, paragraph_end in paragraph_spans(text):
        check_deadline()
        ends, cursor = [], paragraph_start
        for sentence in sentencex.segment("en", text[paragraph_start:paragraph_end]):
            found = text.find(sentence.strip(), cursor, paragraph_end) if sentence.strip() else -1
            if found >= 0:
                cursor = found + len(sentence.strip())
                ends.append(cursor)
        ends = [end for end in ends[:-1] if not _abbreviation_ends(text, end, paragraph_end)] + ends[-1:]
        start = paragraph_start
        for end in ends[:-1] + [paragraph_end]:
            piece = text[start:end]
            if piece.strip():
                left = start + len(piece) - len(piece.lstrip())
                spans.append((left, left + len(piece.strip())))
            start = end
    return spans


# Titles before a name: they never end a sentence, yet sentencex ends one after them when a
# prefix is hyphened on ("then-Rep. Liz Cheney", "ex-Sen.", "then-Lt. Gov.").
TITLES = {
    "rep",
    "reps",
    "sen",
    "sens",
    "gov",
    "govs",
    "lt",
    "gen",
    "col",
    "sgt",
    "maj",
    "capt",
    "cmdr",
    "adm",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "rev",
    "hon",
    "pres",
    "supt",
    "det",
    "cpl",
    "pvt",
    "atty",
    "amb",
}
# Abbreviations that may end a sentence ("at 9 a.m. The crowd grew."), so they are kept inside
# one only before a lowercase word, a title, or a name that follows them in news style.
SUFFIXES = re.compile(r"(?:[A-Za-z]\.){2,}|(?:jr|sr|st)\.", re.IGNORECASE)
NAMES_AFTER = re.compile(
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|eastern|"
    r"central|mountain|pacific|[ecmp][sd]?t|gmt|utc|local)\b",
    re.IGNORECASE,
)
_LAST_WORD = re.compile(r"([A-Za-z.]+)[\s]*\Z")  # after a hyphen or bracket: "then-Rep." gives "Rep."


def _abbreviation_ends(text: str, end: int, limit: int) -> bool:
    """Whether sentencex's sentence end at `end` falls after an abbreviation inside a sentence."""
    last = _LAST_WORD.search(text, max(0, end - 40), end)
    if not last or not last.group(1).endswith("."):
        return False
    word = last.group(1)
    following = text[end : min(limit, end + 40)].lstrip()
    if word[:-1].lower() in TITLES:
        return True
    if re.fullmatch(r"[A-Za-z]\.", word) and re.match(r"[A-Za-z]\.", following):  # an initialism cut: "then-U.| S."
        return True
    if not SUFFIXES.fullmatch(word) or not following:
        return False
    next_word = following.split(None, 1)[0].strip('"“‘(,')
    return (
        next_word[:1].islower()
        or next_word.rstrip(".").lower() in TITLES
        or NAMES_AFTER.fullmatch(next_word.rstrip(".,")) is not None
    )


OPENERS = {"“": "”", "‘": "’", '"': '"', "«": "»"}
_OPENING_MARK = re.compile('[“‘"«]')
# Words that begin with an apostrophe, often typeset as an opening single quote: ‘Tis, ‘90s
ELISIONS = re.compile(r"(?:tis|twas|twill|em|til|till|cause|cos|n|bout|round|nuff|kay|s|\d)\b", re.IGNORECASE)


def quotation_spans(text: str) -> list[Span]:
    """Spans of quoted speech, quote marks included. A quote left open runs to the end of its
    paragraph, as news style does for quotes continued in the next paragraph."""
    spans: list[Span] = []
    for start, end in paragraph_spans(text):
        check_deadline()
        spans += _quotes_in(text, start, end)
    return spans


def _quotes_in(text: str, start: int, end: int) -> list[Span]:
    closers = _Closers(text, start, end)
    spans, cursor = [], start
    for mark in _OPENING_MARK.finditer(text, start, end):
        i = mark.start()
        if i < cursor or not _opens(text, i, closers):
            continue
        closed = closers.after(OPENERS[text[i]], i + 1)
        cursor = end if closed is None else closed
        spans.append((i, cursor))
    return spans


class _Closers:
    """Where each closing mark stands in one paragraph, for finding the next one after a
    position by bisection: looking ahead from every opening mark would be quadratic in the
    paragraph (`‘a ’b ` repeated: every ’ there is an apostrophe, so no quote ever closes)."""

    def __init__(self, text: str, start: int, end: int):
        self.positions: dict[str, list[int]] = {}
        for closer in set(OPENERS.values()):
            found = [m.start() for m in re.finditer(re.escape(closer), text[start:end])]
            if closer == "’":  # a ’ before a letter is an apostrophe (isn’t), not a closing quote
                found = [j for j in found if start + j + 1 >= len(text) or not text[start + j + 1].isalpha()]
            self.positions[closer] = [start + j for j in found]

    def after(self, closer: str, position: int) -> Optional[int]:
        """The end of the quote (after its closing mark) for the first closer at or after
        `position` in the paragraph, or None."""
        marks = self.positions[closer]
        k = bisect.bisect_left(marks, position)
        return marks[k] + 1 if k < len(marks) else None


def _opens(text: str, i: int, closers: _Closers) -> bool:
    """A single curly quote opens a quote only where no word continues before it, no elision
    follows it (‘Tis, ‘em, ‘90s) and its closing quote comes within the paragraph: else it is
    an apostrophe, and the writer's own words after it are not quoted speech."""
    if text[i] != "‘":
        return True
    if i > 0 and text[i - 1].isalnum():
        return False
    if ELISIONS.match(text, i + 1):
        return False
    return closers.after("’", i + 1) is not None


def merged_spans(spans: list[Span]) -> list[Span]:
    """Spans in order with overlapping ones joined (quotations found by their marks and those
    a page sets as quotations may overlap), as Coverage needs them."""
    joined: list[Span] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


class Coverage:
    """Disjoint, ordered spans (quotations), asked how much of another span they cover: by
    bisection and running sums, so that every sentence and word of a long article asks in
    log time (a scan of every quotation per sentence was quadratic)."""

    def __init__(self, spans: list[Span]):
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]
        self.before = [0]  # before[k]: characters covered by the first k spans
        for a, b in spans:
            self.before.append(self.before[-1] + b - a)

    def _covered_before(self, x: int) -> int:
        k = bisect.bisect_right(self.starts, x)  # spans starting at or before x
        if k == 0:
            return 0
        return self.before[k - 1] + min(x, self.ends[k - 1]) - self.starts[k - 1]

    def overlap(self, span: Span) -> int:
        """Characters of `span` covered."""
        return self._covered_before(span[1]) - self._covered_before(span[0])
