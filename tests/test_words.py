"""framing.words: function words, reporting hedges and names are never marked as loaded."""

from __future__ import annotations

import numpy as np

from framing.predictor import _group_words
from framing.words import is_title_case, never_loaded


def marked(text: str) -> list[str]:
    """Every word `_group_words` keeps when each token of `text` (split on spaces) is certain."""
    spans, start = [], 0
    for word in text.split(" "):
        spans.append((start, start + len(word)))
        start += len(word) + 1
    return [w["text"] for w in _group_words(text, list(range(len(spans))), spans, np.ones(len(spans)))]


def test_function_words_hedges_and_names_are_never_marked():
    assert marked("The man allegedly stole a car in Miami , police said .") == ["man", "stole", "car", "police"]
    assert marked("Critics said the film Dark Waters is a shameful smear .") == [
        "Critics",
        "film",
        "shameful",
        "smear",
    ]  # a capital opening a sentence is not a name
    assert marked("It failed . Reckless spending , he wrote .") == ["failed", "Reckless", "spending", "wrote"]
    assert marked("“ Disgraceful ” , she wrote .") == ["Disgraceful", "wrote"]


def test_a_headline_in_title_case_keeps_its_capitalised_words():
    assert is_title_case("The Reckless Power Grab Of A Corrupt Senator")
    assert not is_title_case("Fox News aired the film Dark Waters on Tuesday in Miami.")
    assert marked("The Reckless Power Grab Of A Corrupt Senator") == ["Reckless", "Power", "Grab", "Corrupt", "Senator"]


def test_the_rule_reads_the_text_before_the_word():
    text = "He lied. Biden spoke; Trump sneered at Pelosi."
    assert not never_loaded(text, text.index("Biden"), "Biden", False)  # opens a sentence
    assert not never_loaded(text, text.index("Trump"), "Trump", False)  # after a semicolon
    assert never_loaded(text, text.index("Pelosi"), "Pelosi", False)
    assert not never_loaded(text, text.index("sneered"), "sneered", False)
