"""The base-rate analysis of held-out folds (benchmarks/crossval_thresholds.py) measures as stated."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import benchmark_module

thresholds = benchmark_module("crossval_thresholds")


def test_prior_correction_is_bayes_rule_and_leaves_an_unchanged_prior_alone():
    p = np.array([0.1, 0.5, 0.9])
    assert np.allclose(thresholds.with_prior(p, 0.3, 0.3), p)
    # odds 1 at 0.5 times (0.2/0.8)/(0.5/0.5) = 0.25: probability 0.2
    assert thresholds.with_prior(np.array([0.5]), 0.2, 0.5)[0] == pytest.approx(0.2)


def test_em_recovers_the_base_rate_of_calibrated_rows_drawn_at_another_rate():
    rng = np.random.default_rng(0)
    # a calibrated scorer for a 50/50 world: scores from two Gaussians, posterior by Bayes' rule
    gold = rng.random(20000) < 0.2  # the new world flags 20%
    score = rng.normal(np.where(gold, 1.0, -1.0), 1.0)
    p = 1 / (1 + np.exp(-2 * score))  # the posterior at prior 0.5 for unit-variance means +-1
    assert thresholds.em_prior(p, 0.5) == pytest.approx(0.2, abs=0.02)


def test_the_hindsight_threshold_is_an_upper_bound_on_the_models_own_decision():
    rng = np.random.default_rng(1)
    gold = (rng.random(400) < 0.15).astype(int)
    p = np.clip(0.3 + 0.4 * gold + rng.normal(0, 0.2, 400), 0.01, 0.99)
    figures = thresholds.fold_figures(gold, p, 0.5)
    for other in ("macro_f1", "known_prior", "em_prior"):  # no threshold beats the hindsight one
        assert figures["best_threshold_in_hindsight"] >= figures[other]
    assert figures["gold_rate"] == pytest.approx(gold.mean())
    assert figures["predicted_rate"] == pytest.approx((p > 0.5).mean())
    assert 0.5 < figures["roc_auc"] <= 1.0


def test_an_existing_output_is_refused_before_any_work_unless_overwrite(tmp_path):
    from framing.errors import FramingError

    kept = tmp_path / "kept.json"
    kept.write_text("earlier figures")
    with pytest.raises(FramingError, match="already exists; pass --overwrite"):  # before the folds are read
        thresholds.main([str(tmp_path / "no-such.folds"), "--output", str(kept)])
    assert kept.read_text() == "earlier figures"
    with pytest.raises(FramingError, match="no run.json"):  # with the flag it goes on, to the (missing) folds
        thresholds.main([str(tmp_path / "no-such.folds"), "--output", str(kept), "--overwrite"])
