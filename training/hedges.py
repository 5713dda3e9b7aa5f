"""Reporting-hedge copies of the gold training rows: "allegedly", "reportedly", "according to
officials" attribute a claim to someone; they are not loaded language. A model that has seen
few of them in neutral sentences takes them for the writer's judgement (one "allegedly" moved
neutral crime reports from 0.04 to 0.74). So each gold row also trains as a copy with one hedge
inserted, with the row's label, vote share and marked words (the hedge itself is never marked).
Like the group-term counterfactuals they are made from the rows a run trains on and nothing
else, so cross-validation makes them per fold.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from transformers import PreTrainedTokenizerBase

from framing.hashing import sha256_text
from framing.training.config import HedgeConfig
from framing.training.examples import Examples, encode

# An adverb goes before the sentence's first past-tense verb ("The man allegedly stole ...");
# a sentence without one takes a lead-in ("According to officials, the man ...").
ADVERBS = ("allegedly", "reportedly", "purportedly", "apparently", "supposedly")
LEAD_INS = (
    "According to officials, ",
    "According to police, ",
    "According to the report, ",
    "Officials said ",
    "Reports say ",
    "Allegedly, ",
    "Reportedly, ",
)
PAST_VERB = re.compile(r"\b([a-z]+) ([a-z]{3,}ed)\b")  # the word before, and a past-tense verb or participle


def hedged(text: str) -> str:
    """`text` with one reporting hedge, chosen by the sentence itself (a hash), so a sentence gets
    the same copy in every fold and every run."""
    pick = int(sha256_text(text), 16)
    # not after an adverb ("dramatically reportedly declined" reads as nobody writes)
    verb = next((m for m in PAST_VERB.finditer(text) if not m.group(1).endswith("ly")), None)
    if verb is not None and pick % 2 == 0:
        at = verb.start(2)
        return f"{text[:at]}{ADVERBS[pick // 2 % len(ADVERBS)]} {text[at:]}"
    lead = LEAD_INS[pick // 2 % len(LEAD_INS)]
    first_word = text.split(maxsplit=1)[0] if text.strip() else ""
    if first_word != "I" and first_word.lower() in ENGLISH_STOP_WORDS:  # "The man" -> "the man"; names, "I" kept
        text = text[:1].lower() + text[1:]
    return lead + text


def hedge_copies(
    examples: Examples, config: HedgeConfig, tokenizer: PreTrainedTokenizerBase, max_length: int
) -> Examples:
    """A hedged copy of every row of `examples`, with its label, vote share, auxiliary label and
    marked words, at `config.weight`."""
    copies = examples.subset(range(len(examples)))
    copies.texts = [hedged(text) for text in examples.texts]
    marked = examples.marked or [[] for _ in examples.texts]
    copies.input_ids, copies.word_targets = encode(
        copies.texts, marked, tokenizer, max_length, examples.word_targets is not None
    )
    copies.weight = np.full(len(copies), config.weight)
    return copies
