"""Pairing two cross-validation runs (benchmarks/crossval_paired.py) measures B against A on the
same held-out rows, and refuses runs that did not hold out the same rows."""

from __future__ import annotations

import json

import numpy as np
import pytest

from framing.errors import FramingError
from framing.training.crossval_report import Gold
from framing.training.crossval_work import save_fold

from helpers import benchmark_module

paired = benchmark_module("crossval_paired")
LABELS = ["neutral", "editorializing"]


def two_folds(proba: np.ndarray) -> dict:
    """Rows 0..n-1 split into two interleaved folds, each with its rows' probabilities."""
    n = len(proba)
    return {1: (np.arange(0, n, 2), proba[0::2]), 2: (np.arange(1, n, 2), proba[1::2])}


def as_proba(p: np.ndarray) -> np.ndarray:
    return np.stack([1 - p, p], axis=1)  # [n, 2]: neutral, editorializing


def test_a_better_ranking_model_wins_on_both_figures_and_unlabelled_rows_are_left_out():
    rng = np.random.default_rng(0)
    gold = (rng.random(600) < 0.4).astype(int)
    sharp = np.clip(0.5 + np.where(gold == 1, 0.3, -0.3) + rng.normal(0, 0.15, 600), 0.01, 0.99)
    blurred = np.clip(0.5 + np.where(gold == 1, 0.05, -0.05) + rng.normal(0, 0.25, 600), 0.01, 0.99)
    has = np.ones(600, dtype=bool)
    has[:100] = False  # rows another label column does not label
    a, b = two_folds(as_proba(blurred)), two_folds(as_proba(sharp))
    r = paired.column_comparison(Gold(has, gold), a, b, [1, 2], 1, LABELS)
    assert r["rows"] == 500 and sum(f["rows"] for f in r["folds"]) == 500
    assert r["macro_f1"]["macro_f1_difference"] > 0.1 and r["macro_f1"]["ci95"][0] > 0
    assert r["macro_f1_b"] - r["macro_f1_a"] == pytest.approx(r["macro_f1"]["macro_f1_difference"])
    assert r["roc_auc"]["difference"] > 0.1 and r["roc_auc"]["ci95"][0] > 0 and r["roc_auc"]["p_value"] < 0.01
    assert r["mcnemar"]["only_b_correct"] > r["mcnemar"]["only_a_correct"]
    assert all(f["b"] > f["a"] for f in r["folds"])
    # swapped, the same difference with the other sign
    back = paired.column_comparison(Gold(has, gold), b, a, [1, 2], 1, LABELS)
    assert back["roc_auc"]["difference"] == pytest.approx(-r["roc_auc"]["difference"])
    # only the folds asked for
    assert paired.column_comparison(Gold(has, gold), a, b, [2], 1, LABELS)["rows"] == 250  # odd rows less 50 unlabelled


def test_a_fold_without_labelled_rows_and_one_class_rows_report_no_figures_instead_of_failing():
    gold = np.array([0, 1, 0, 1, 1, 1])
    has = np.array([False, True, False, True, False, True])  # fold 1 (even rows) labels nothing
    proba = as_proba(np.array([0.2, 0.9, 0.3, 0.8, 0.6, 0.7]))
    r = paired.column_comparison(Gold(has, gold), two_folds(proba), two_folds(proba), [1, 2], 1, LABELS)
    assert r["folds"][0] == {"fold": 1, "rows": 0} and r["folds"][1]["rows"] == 3
    assert r["roc_auc"] is None  # every labelled row is editorializing: no ROC-AUC, not a p-value of 0
    assert "no rows" in paired.render({"a": "A", "b": "B", "folds": [1, 2], "by_label_column": {"x": r}})
    assert paired.column_comparison(
        Gold(np.zeros(6, dtype=bool), gold), two_folds(proba), two_folds(proba), [1, 2], 1, LABELS
    ) == {"rows": 0}


def kept(folder, folds: dict, labels=("Non-biased: neutral", "Biased: editorializing")):
    """A kept-folds folder: run.json with a minimal config, and fold files (number -> rows)."""
    folder.mkdir()
    config = f"data: {{train: t.csv, labels: {{{', '.join(labels)}}}}}\n"
    (folder / "run.json").write_text(json.dumps({"config": config, "group_by": None}))
    for number, rows in folds.items():
        proba = as_proba(np.linspace(0.1, 0.9, len(rows)))
        save_fold(folder / f"fold-{number}.npz", {"fold": number}, (np.array(rows), proba, proba))
    return folder


def test_a_folds_rows_line_up_whatever_order_they_were_kept_in(tmp_path):
    _, _, folds = paired.kept_folds(kept(tmp_path / "a", {1: [2, 0, 1]}))
    rows, proba = folds[1]
    assert rows.tolist() == [0, 1, 2]
    assert proba[:, 1].tolist() == pytest.approx([0.5, 0.9, 0.1])  # each row keeps its own probabilities


def test_runs_that_cannot_be_paired_are_refused_before_any_data_is_read(tmp_path):
    a = kept(tmp_path / "a", {1: [0, 1, 2]})
    with pytest.raises(FramingError, match="fold 1 held out other rows"):
        paired.compare_runs(a, kept(tmp_path / "b", {1: [0, 1, 3]}))
    with pytest.raises(FramingError, match=r"kept folds \[2\], .* kept folds \[1\]: none in common"):
        paired.compare_runs(a, kept(tmp_path / "c", {2: [0, 1, 2]}))
    with pytest.raises(FramingError, match="labels .* not paired"):
        paired.compare_runs(a, kept(tmp_path / "d", {1: [0, 1, 2]}, ("Biased: editorializing", "Non-biased: neutral")))
    with pytest.raises(FramingError, match="--flag opinion: not one of the runs' labels"):
        paired.compare_runs(a, a, "opinion")
    with pytest.raises(FramingError, match="no run.json"):
        paired.compare_runs(a, tmp_path / "nothing")
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "run.json").write_text("{not json")
    with pytest.raises(FramingError, match="not a crossval run's record"):
        paired.compare_runs(a, tmp_path / "e")
