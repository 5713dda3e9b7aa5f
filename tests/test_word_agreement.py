"""The human reference for word highlights (benchmarks/word_agreement.py) scores annotators as stated."""

from __future__ import annotations

import json

from helpers import benchmark_module

TEXT = "The reckless senator pushed a disgraceful, absurd plan."


def test_annotators_who_agree_score_perfectly():
    agreement = benchmark_module("word_agreement")
    marks = agreement.annotators_marks(TEXT, json.dumps(["reckless, disgraceful"] * 3), 3)
    assert agreement.leave_one_out(marks) == (6, 0, 0)  # each of 3 annotators: both words right


def test_a_missing_entry_is_an_annotator_who_marked_nothing_and_phrases_cover_their_words():
    agreement = benchmark_module("word_agreement")
    entries = json.dumps(["reckless", "reckless, absurd plan", "reckless; absurd"])
    marks = agreement.annotators_marks(TEXT, entries, 5)
    assert len(marks) == 5 and marks[3] == marks[4] == set()
    assert marks[1] == {1, 6, 7}  # "reckless", and the two words of "absurd plan"
    tp, fp, fn = agreement.leave_one_out(marks)
    # the silent annotators miss what the others agree on: "reckless" (3 others) and "absurd" (2 others)
    assert fn >= 4 and tp + fp == sum(len(m) for m in marks)
