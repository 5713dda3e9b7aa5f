"""Group-term counterfactuals of the gold training rows (issue 24, step 3): for a sentence that
names a social group of a swap set ("Democrats", "women", "Muslims"), a copy with that group
swapped for another of the same set, with the same label, so the label learns to follow what
is said and not who it is said about. They are made from the rows a run trains on and nothing
else: cross-validation makes them per fold from that fold's training rows, so no held-out
sentence reaches training in another group's name.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from transformers import PreTrainedTokenizerBase

from framing.data import read_table, require_columns
from framing.errors import FramingError
from framing.hashing import sha256_text
from framing.training.config import CounterfactualConfig
from framing.training.examples import Examples, encode


def swap_sets(path: str) -> list[list[str]]:
    """The swap sets of a terms file (columns `set`, `term`): terms of one set replace each other."""
    frame = read_table(path)
    require_columns(frame, ["set", "term"], path)
    sets = [group["term"].astype(str).str.strip().tolist() for _, group in frame.groupby("set", sort=False)]
    for terms in sets:
        if len(set(terms)) < 2:
            raise FramingError(f"{path}: swap set {terms!r} needs at least two different terms")
    return sets


def term_pattern(sets: list[list[str]]) -> re.Pattern:
    """One pattern for every term, whole words, case-insensitive; longer terms first, so that
    "Chinese immigrants" wins over "immigrants"."""
    terms = sorted({t for terms in sets for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)


DOUBLED = re.compile(r"(?<!\w)(\w+)\s+\1(?!\w)", re.IGNORECASE)


def swapped(text: str, marked: list[str], sets: list[list[str]], pattern: re.Pattern) -> tuple[str, list[str]] | None:
    """`text` (and its marked words) with the first group term it names replaced everywhere by
    another term of that term's set, or None when it names none. The other term is fixed by the
    sentence itself (a hash), so a sentence gets the same swap in every fold and every run; one
    that would double a word ("single mothers" -> "single single mothers", "the the homeless")
    passes to the set's next term, and a sentence that every term would garble gets no copy."""
    found = pattern.search(text)
    if found is None:
        return None
    listed, terms = next((t, terms) for terms in sets for t in terms if t.lower() == found.group(1).lower())
    others = [t for t in terms if t.lower() != listed.lower()]
    first = int(sha256_text(text), 16) % len(others)
    doubled = Counter(m.group(0).lower() for m in DOUBLED.finditer(text))
    for other in others[first:] + others[:first]:
        made = _swap(text, marked, listed, other, pattern)
        if Counter(m.group(0).lower() for m in DOUBLED.finditer(made[0])) <= doubled:
            return made
    return None


def _swap(text: str, marked: list[str], listed: str, other: str, pattern: re.Pattern) -> tuple[str, list[str]]:
    """`text` and `marked` with every whole-word `listed` (any case) replaced by `other`. The
    search runs through every term, longest first, so a longer term that holds `listed`
    ("Chinese immigrants" holding "immigrants") stays whole."""

    def replace(match: re.Match, source: str, keep_case: bool) -> str:
        if match.group(1).lower() != listed.lower():
            return match.group(0)  # another term, or a longer one holding this one
        if not keep_case:
            return other  # marked words are found case-insensitively (training/examples.py)
        # a term opening a sentence, or capitalised by the text (a title), passes its capital on:
        # "Women marched" -> "Gay men marched"; a proper noun's own capital ("Democrats") does not
        # pass to a common noun mid-sentence ("progressives")
        before = source[: match.start()].rstrip()
        opens = not before.strip("\"“‘'([") or before[-1] in ".!?"
        capital = opens or (match.group(0)[0].isupper() and listed[0].islower())
        return other[0].upper() + other[1:] if capital else other

    return (
        pattern.sub(lambda m: replace(m, text, True), text),
        [pattern.sub(lambda m: replace(m, word, False), word) for word in marked],
    )


def counterfactuals(
    examples: Examples, config: CounterfactualConfig, tokenizer: PreTrainedTokenizerBase, max_length: int
) -> Examples:
    """A counterfactual copy of each row of `examples` that names a group of a swap set, with
    its label, vote share and auxiliary label, its marked words swapped too, at `config.weight`."""
    sets = swap_sets(config.terms)
    pattern = term_pattern(sets)
    marked = examples.marked or [[] for _ in examples.texts]
    rows, texts, words = [], [], []
    for row, (text, row_marked) in enumerate(zip(examples.texts, marked)):
        made = swapped(text, row_marked, sets, pattern)
        if made is not None:
            rows.append(row)
            texts.append(made[0])
            words.append(made[1])
    copies = examples.subset(rows)
    copies.texts = texts
    copies.input_ids, copies.word_targets = encode(
        texts, words, tokenizer, max_length, examples.word_targets is not None
    )
    copies.marked = words if examples.marked is not None else None
    copies.weight = np.full(len(rows), config.weight)
    return copies
