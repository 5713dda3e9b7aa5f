"""Pairing two cross-validation runs (benchmarks/crossval_paired.py) measures B against A on the
same held-out rows, and refuses runs that did not hold out the same rows."""

from __future__ import annotations

import json

import numpy as np
import pytest

from framing.errors import FramingError
from framing.training.crossval import Gold, save_fold
from helpers import benchmark_module

paired = benchmark_module("crossval_paired")


def two_folds(proba: np.ndarray) -> dict:
    """Rows 0..n-1 split into two interleaved folds, each with its rows' probabilities."""
    n = len(proba)
    return {1: (np.arange(0, n, 2), proba[0::2]), 2: (np.arange(1, n, 2), proba[1::2])}


def test_a_better_ranking_model_wins_on_both_figures_and_unlabelled_rows_are_left_out():
    rng = np.random.default_rng(0)
    gold = (rng.random(600) < 0.4).astype(int)
    sharp = np.clip(0.5 + np.where(gold == 1, 0.3, -0.3) + rng.normal(0, 0.15, 600), 0.01, 0.99)
    blurred = np.clip(0.5 + np.where(gold == 1, 0.05, -0.05) + rng.normal(0, 0.25, 600), 0.01, 0.99)
    as_proba = lambda p: np.stack([1 - p, p], axis=1)  # noqa: E731  [n, 2]: neutral, editorializing
    has = np.ones(600, dtype=bool)
    has[:100] = False  # rows another label column does not label
    r = paired.column_comparison(Gold(has, gold), two_folds(as_proba(blurred)), two_folds(as_proba(sharp)), 1, 2)
    assert r["rows"] == 500 and sum(f["rows"] for f in r["folds"]) == 500
    assert r["macro_f1"]["macro_f1_difference"] > 0.1 and r["macro_f1"]["ci95"][0] > 0
    assert r["roc_auc"]["difference"] > 0.1 and r["roc_auc"]["ci95"][0] > 0 and r["roc_auc"]["p_value"] < 0.01
    assert r["mcnemar"]["only_b_correct"] > r["mcnemar"]["only_a_correct"]
    # swapped, the same difference with the other sign
    back = paired.column_comparison(Gold(has, gold), two_folds(as_proba(sharp)), two_folds(as_proba(blurred)), 1, 2)
    assert back["roc_auc"]["difference"] == pytest.approx(-r["roc_auc"]["difference"])


def test_runs_that_held_out_other_rows_are_not_paired(tmp_path):
    for name, rows in (("a", [0, 1, 2]), ("b", [0, 1, 3])):
        folder = tmp_path / name
        folder.mkdir()
        config = "data: {train: t.csv, labels: {Non-biased: neutral, Biased: editorializing}}\n"
        (folder / "run.json").write_text(json.dumps({"config": config, "group_by": None}))
        save_fold(folder / "fold-1.npz", {"fold": 1}, (np.array(rows), np.full((3, 2), 0.5), np.full((3, 2), 0.5)))
    with pytest.raises(FramingError, match="fold 1 held out other rows"):
        paired.compare_runs(tmp_path / "a", tmp_path / "b")
    (tmp_path / "b" / "fold-1.npz").unlink()  # B kept another fold than A
    save_fold(tmp_path / "b" / "fold-2.npz", {"fold": 2}, (np.array([0, 1, 2]), np.full((3, 2), 0.5),
                                                            np.full((3, 2), 0.5)))
    with pytest.raises(FramingError, match=r"kept folds \[2\], but .* has \[1\]"):
        paired.compare_runs(tmp_path / "a", tmp_path / "b")
    with pytest.raises(FramingError, match="no run.json"):
        paired.compare_runs(tmp_path / "a", tmp_path / "nothing")
