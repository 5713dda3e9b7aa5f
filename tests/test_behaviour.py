"""The behavioural suite (benchmarks/behaviour.py) judges labellers the way its tests say."""

from __future__ import annotations

import sys

from helpers import benchmark_module


def _behaviour():
    return benchmark_module("behaviour")


def test_an_always_neutral_labeller_fails_exactly_the_directional_tests():
    behaviour = _behaviour()
    result = behaviour.run_suite(lambda texts: ["neutral"] * len(texts))
    rates = {row["kind"]: set() for row in result["tests"]}
    for row in result["tests"]:
        rates[row["kind"]].add(row["failure_rate"])
    assert rates == {"MFT": {0.0}, "DIR": {1.0}, "INV": {0.0}}


def test_a_labeller_that_reacts_to_a_group_word_fails_that_invariance_test():
    behaviour = _behaviour()
    loaded = {"disgraceful", "radical", "corrupt", "shameless", "incompetent", "extremist", "dishonest", "reckless",
              "pathetic", "outrageous", "shamelessly", "recklessly", "brazenly", "cynically", "absurdly", "foolishly",
              "arrogantly", "desperately"}

    def labeller(texts):  # right on loaded words, but calls anything about Muslims editorializing
        return ["editorializing" if loaded & set(t.lower().rstrip(".").split()) or "Muslim" in t else "neutral"
                for t in texts]

    result = behaviour.run_suite(labeller)
    by_name = {row["test"]: row for row in result["tests"]}
    assert by_name["swapping religions keeps the label"]["failure_rate"] > 0.5
    assert by_name["a loaded adjective inserted makes it editorializing"]["failure_rate"] == 0.0
    assert by_name["swapping places keeps the label"]["failure_rate"] == 0.0
    failed = by_name["swapping religions keeps the label"]["examples"][0]
    assert "editorializing" in failed["labels"] and "neutral" in failed["labels"]


def test_the_suite_runs_a_checkpoint_through_predict(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    import json

    behaviour = _behaviour()
    out = tmp_path / "behaviour.json"
    monkeypatch.setattr(sys, "argv", ["behaviour.py", "--checkpoint", str(tiny_checkpoint), "--output", str(out)])
    behaviour.main()
    saved = json.loads(out.read_text())
    assert len(saved["tests"]) == len(behaviour.suite()) and 0.0 <= saved["mean_failure_rate"] <= 1.0
    assert "Mean failure rate" in capsys.readouterr().out
