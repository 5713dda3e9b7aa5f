"""Calibration (training/calibration.py): the fit of a temperature and a bias per label, its
bounds and prior, the predictor applying what was stored, and one pure function for training
and `framing calibrate` (whose command is tested in test_calibrate.py)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from framing import FramingClassifier
from framing.checkpoint import parse_meta
from framing.errors import FramingError
from framing.training.calibration import fit_calibration
from framing.training.metrics import expected_calibration_error

from helpers import softmax


def test_temperature_fixes_overconfidence_and_never_changes_the_winner():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 2000)
    # 75% right, but logits say ~99% sure: the fitted temperature must soften them
    correct = rng.random(2000) < 0.75
    predicted = np.where(correct, labels, 1 - labels)
    logits = np.zeros((2000, 2))
    logits[np.arange(2000), predicted] = 5.0
    fit = fit_calibration(logits, labels, bias=False)
    assert fit.temperature > 2.0 and fit.bias == []
    after = softmax(logits / fit.temperature)
    assert expected_calibration_error(labels, after) < 0.03 < expected_calibration_error(labels, softmax(logits))
    assert (after.argmax(1) == logits.argmax(1)).all()


def test_bias_corrects_a_prior_shift_the_temperature_cannot():
    # Well-scaled logits pulled 1.5 towards label 0 (a model trained against other targets):
    # the bias puts the boundary back, so both calibration and accuracy recover.
    rng = np.random.default_rng(1)
    margin = rng.normal(0, 2.5, 4000)  # true logit of label 1
    labels = (rng.random(4000) < 1 / (1 + np.exp(-margin))).astype(int)
    logits = np.stack([np.zeros(4000), margin - 1.5], axis=1)
    alone = fit_calibration(logits, labels, bias=False)
    both = fit_calibration(logits, labels, bias=True)
    proba_alone = softmax(logits / alone.temperature)
    proba_both = softmax(logits / both.temperature + both.bias)
    assert both.bias[1] - both.bias[0] == pytest.approx(1.5, abs=0.25)
    assert sum(both.bias) == pytest.approx(0.0, abs=1e-9)  # softmax ignores a common shift: stored centred
    assert expected_calibration_error(labels, proba_both) < 0.02 < expected_calibration_error(labels, proba_alone)
    assert (proba_both.argmax(1) == labels).mean() > (proba_alone.argmax(1) == labels).mean()


def test_a_label_missing_from_the_data_keeps_a_finite_bias():
    logits = np.random.default_rng(2).normal(size=(50, 3))
    fit = fit_calibration(logits, np.zeros(50, dtype=int))
    assert np.isfinite(fit.bias).all() and max(abs(b) for b in fit.bias) <= 10.0


def test_the_predictor_adds_the_stored_bias_after_the_temperature(tiny_checkpoint, tmp_path):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    meta = json.loads((folder / "framing.json").read_text())
    meta.update(temperature=2.0, logit_bias=[0.5, -0.5])
    (folder / "framing.json").write_text(json.dumps(meta))
    clf = FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    texts = ["The senator spoke on Tuesday about the budget.", "The greedy company boasted of obscene profits."]
    assert clf.predict_proba(texts) == pytest.approx(softmax(clf.logits(texts) / 2.0 + [0.5, -0.5]), abs=1e-6)
    assert clf.provenance()["logit_bias"] == [0.5, -0.5]  # a resumed corpus run must see a recalibration


def test_a_bias_of_the_wrong_length_is_refused_by_name():
    with pytest.raises(FramingError, match="logit_bias has 3 values for 2 labels"):
        parse_meta({"labels": ["neutral", "editorializing"], "logit_bias": [0.0, 0.1, 0.2]})


def test_the_noise_floor_shrinks_with_more_rows_and_miscalibration_rises_above_it():
    from helpers import benchmark_module

    floor = benchmark_module("calibration").noise_floor
    rng = np.random.default_rng(3)
    p1 = rng.uniform(0.05, 0.95, 2000)
    proba = np.stack([1 - p1, p1], axis=1)
    small, large = floor(proba[:100], rounds=300), floor(proba, rounds=300)
    assert large["mean"] < small["mean"] and large["mean"] <= large["p95"]
    # outcomes that always follow the top label are far more certain than these probabilities say
    assert expected_calibration_error(proba.argmax(1), proba) > large["p95"]


def test_training_refuses_a_one_class_dev_file_before_it_trains(tiny_base, tiny_data, tmp_path):
    from framing.training.config import config_from_dict
    from framing.training.train import train

    from helpers import tiny_config_dict

    dev = tmp_path / "dev.csv"
    frame = pd.read_csv(tiny_data["dev"])
    frame[frame.label == "Biased"].to_csv(dev, index=False)
    config = config_from_dict(tiny_config_dict(tiny_base, {**tiny_data, "dev": dev}))
    with pytest.raises(FramingError, match=r"dev.csv \(dev split\): calibration needs .* 'neutral' \(0 rows\)"):
        train(config, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def _separated(per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits a model gets right with margins of 0.5 to 3: a sample it separates perfectly."""
    labels = np.repeat([0, 1], per_class)
    margin = np.random.default_rng(4).uniform(0.5, 3.0, len(labels)) * np.where(labels == 1, 1, -1)
    return np.stack([np.zeros(len(labels)), margin], axis=1), labels


@pytest.mark.parametrize("per_class", [5, 50])
def test_a_sample_the_model_separates_cannot_make_every_score_certain(per_class):
    # before: T fell to its 0.05 floor and a margin of 0.5 scored 1.0000 (ECE 0.0000 "after")
    from framing.training.calibration import TEMPERATURE_RANGE

    logits, labels = _separated(per_class)
    fit = fit_calibration(logits, labels)
    assert TEMPERATURE_RANGE[0] <= fit.temperature and max(abs(b) for b in fit.bias) <= 10.0
    proba = softmax(logits / fit.temperature + fit.bias)
    assert proba.max(axis=1).min() < 0.95  # the least sure row keeps its doubt


def test_one_pure_function_fits_the_calibration_the_predictor_applies_and_measures_it(tiny_checkpoint):
    """Training (fit_to_dev) and `framing calibrate` fit through calibrate_logits: arrays in,
    the fit and its figures out, with the predictor's own probabilities, bit for bit."""
    from sklearn.metrics import f1_score

    from framing.results import calibrated_probabilities
    from framing.training.calibration import calibrate_logits
    from framing.training.metrics import THRESHOLD_GRID, best_thresholds

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 400)
    logits = np.zeros((400, 2))
    logits[np.arange(400), np.where(rng.random(400) < 0.75, labels, 1 - labels)] = 5.0  # overconfident
    outcome = calibrate_logits(logits, labels, ["neutral", "editorializing"], multi_label=False, bootstrap_rounds=0)
    assert outcome.fit == fit_calibration(logits, labels)
    assert outcome.calibrated["ece"] < outcome.uncalibrated["ece"]
    assert outcome.uncalibrated["ece"] == pytest.approx(expected_calibration_error(labels, softmax(logits)))
    clf = FramingClassifier.from_pretrained(tiny_checkpoint, runtime="torch-fp32")
    clf.meta.temperature, clf.meta.logit_bias = outcome.fit.temperature, outcome.fit.bias
    fit = outcome.fit
    assert np.array_equal(calibrated_probabilities(logits, fit.temperature, fit.bias, False), clf._calibrate(logits))
    # multi-label: sigmoid per label, and each label's threshold tuned again under the fit
    targets = (rng.random((400, 3)) < 0.3).astype(int)
    scores = np.where(targets == 1, 4.0, -4.0) + rng.normal(0, 3, (400, 3))
    several = calibrate_logits(scores, targets, ["a", "b", "c"], multi_label=True, bootstrap_rounds=0)
    proba = calibrated_probabilities(scores, several.fit.temperature, several.fit.bias, True)
    assert proba == pytest.approx(1 / (1 + np.exp(-(scores / several.fit.temperature + several.fit.bias))), abs=1e-6)
    assert np.array_equal(several.thresholds, best_thresholds(targets, proba))
    assert len(set(several.thresholds)) > 1  # so that the shared threshold below is a different answer
    # one threshold shared by every label: the grid's value with the best micro-F1
    shared = calibrate_logits(scores, targets, ["a", "b", "c"], True, bootstrap_rounds=0, shared_threshold=True)
    micro = [f1_score(targets, proba >= t, average="micro") for t in THRESHOLD_GRID]
    assert np.all(shared.thresholds == THRESHOLD_GRID[int(np.argmax(micro))])
