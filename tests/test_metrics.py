"""framing.training.metrics: classification metrics, intervals and calibration error."""

import numpy as np
import pytest

from framing.training.metrics import classification_metrics


def test_metrics_on_a_known_case():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    metrics = classification_metrics([0, 1, 1, 1], proba, ["neutral", "editorializing"], bootstrap_rounds=50)
    assert metrics["accuracy"] == pytest.approx(0.75)
    assert metrics["per_class"]["neutral"]["precision"] == pytest.approx(0.5)
    assert metrics["per_class"]["editorializing"]["recall"] == pytest.approx(2 / 3)
    assert metrics["roc_auc"] == pytest.approx(1.0)
    low, high = metrics["macro_f1_ci95"]
    assert 0 <= low <= high <= 1


def test_single_class_gold_gives_a_point_inside_its_interval():
    """Macro-F1 and its bootstrap interval average over the same labels."""
    y_true = np.zeros(40, dtype=int)
    proba = np.tile([0.8, 0.1, 0.1], (40, 1))
    proba[:5] = [0.1, 0.8, 0.1]
    metrics = classification_metrics(y_true, proba, ["a", "b", "c"], bootstrap_rounds=200)
    low, high = metrics["macro_f1_ci95"]
    assert low <= metrics["macro_f1"] <= high


def test_group_metrics_per_group_and_the_gaps_between_named_groups():
    from framing.training.metrics import EMPTY_GROUP, group_metrics

    gold = np.array([1, 1, 0, 0, 1, 1, 0, 0, 1])
    flagged = np.array([0.9, 0.8, 0.3, 0.2, 0.4, 0.9, 0.1, 0.2, 0.9])  # right: one editorializing row missed
    proba = np.stack([1 - flagged, flagged], axis=1)
    groups = ["left"] * 4 + ["right"] * 4 + [float("nan")]
    result = group_metrics(gold, proba, groups, ["neutral", "editorializing"], "editorializing", bootstrap_rounds=50)
    left, right, empty = (result["groups"][g] for g in ("left", "right", EMPTY_GROUP))
    assert (left["n"], right["n"], empty["n"]) == (4, 4, 1)
    assert left["macro_f1"] == 1.0 and left["gold_rate"] == right["gold_rate"] == 0.5
    assert right["predicted_rate"] == 0.25 and right["over_flagging"] == -0.25
    assert right["macro_f1"] < 1.0 and "roc_auc" not in empty  # one class: no ROC-AUC
    assert result["gaps"]["over_flagging"] == 0.25 and result["gaps"]["macro_f1"] == 1.0 - right["macro_f1"]
    low, high = right["macro_f1_ci95"]
    assert low <= right["macro_f1"] <= high
