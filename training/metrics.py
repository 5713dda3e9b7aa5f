"""Classification metrics from gold ids and predicted probabilities (scikit-learn based)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support, roc_auc_score


def expected_calibration_error(y_true: np.ndarray, proba: np.ndarray, bins: int = 15) -> float:
    """ECE over equal-width confidence bins of the top label's probability."""
    return _binned_calibration_error(proba.max(axis=1), (proba.argmax(axis=1) == y_true).astype(float), bins)


def _binned_calibration_error(confidence: np.ndarray, outcome: np.ndarray, bins: int) -> float:
    """Sum over equal-width bins of confidence: share of items x |mean outcome - mean confidence|."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    return float(
        sum(
            (which == b).mean() * abs(outcome[which == b].mean() - confidence[which == b].mean())
            for b in range(bins)
            if (which == b).any()
        )
    )


def resampled(statistic: Callable[[np.ndarray], float], n: int, rounds: int, seed: int = 0) -> np.ndarray:
    """`statistic(indices)` over `rounds` bootstrap resamples of `n` examples (with replacement):
    the one bootstrap loop, for intervals here and paired differences in compare. Hand-written
    rather than scipy.stats.bootstrap because the paired p-value needs the resampled values
    themselves and multi-label targets are 2-D."""
    rng = np.random.default_rng(seed)
    return np.array([statistic(rng.integers(0, n, n)) for _ in range(rounds)])


def bootstrap_macro_f1(
    y_true: np.ndarray, y_pred: np.ndarray, rounds: int = 1000, seed: int = 0, labels: Optional[list[int]] = None
) -> tuple[float, float]:
    """95% percentile interval of macro-F1 over resampled examples, averaged over `labels`
    (label ids; default those present), the same labels as the point estimate."""
    scores = resampled(
        lambda idx: f1_score(y_true[idx], y_pred[idx], average="macro", labels=labels, zero_division=0),
        len(y_true),
        rounds,
        seed,
    )
    low, high = np.percentile(scores, [2.5, 97.5])
    return float(low), float(high)


def binary_calibration_error(y_true: np.ndarray, proba: np.ndarray, bins: int = 15) -> float:
    """ECE of independent probabilities (multi-label): |P(label holds) - p| over bins of p."""
    return _binned_calibration_error(
        np.asarray(proba, dtype=float).ravel(), np.asarray(y_true, dtype=float).ravel(), bins
    )


THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
# Thresholds on calibrated technique probabilities: a rare technique's seldom reach 0.05, the
# usual grid's lowest step, so technique heads (and their baseline) are tuned on a grid of 0.01
FINE_GRID = np.round(np.arange(0.01, 0.96, 0.01), 2)


def best_thresholds(
    y_true: np.ndarray, proba: np.ndarray, grid: np.ndarray = THRESHOLD_GRID, shared: bool = False
) -> np.ndarray:
    """Multi-label: per label, the threshold (of `grid`) with the best F1 on these examples;
    0.5 for a label without positives here. `shared`: one threshold for every label, the one
    with the best micro-F1 (on calibrated probabilities; a label's own, tuned on a few dozen
    positives, fits their noise: SemEval dev cross-fitted micro-F1 0.420 against 0.461 shared)."""
    if shared:
        scores = [f1_score(y_true, proba >= t, average="micro", zero_division=0) for t in grid]
        return np.full(y_true.shape[1], grid[int(np.argmax(scores))])
    chosen = np.full(y_true.shape[1], 0.5)
    for c in range(y_true.shape[1]):
        if y_true[:, c].any():
            scores = [f1_score(y_true[:, c], proba[:, c] >= t, zero_division=0) for t in grid]
            chosen[c] = grid[int(np.argmax(scores))]
    return chosen


def multilabel_metrics(
    y_true: np.ndarray,
    proba: np.ndarray,
    labels: list[str],
    bootstrap_rounds: int = 1000,
    thresholds: Optional[np.ndarray] = None,
) -> dict[str, Any]:
    """Per-label and averaged F1 of thresholded sigmoid outputs; y_true and proba are [N, C]."""
    thresholds = np.full(len(labels), 0.5) if thresholds is None else np.asarray(thresholds)
    y_pred = (proba >= thresholds).astype(int)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    metrics: dict[str, Any] = {
        "n": int(len(y_true)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "micro_f1": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
        "accuracy": float(accuracy_score(y_true, y_pred)),  # exact match of the whole label set
        "ece": binary_calibration_error(y_true, proba),
        "thresholds": {name: float(t) for name, t in zip(labels, thresholds)},
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
            for name, p, r, f, n in zip(labels, precision, recall, f1, support)
        },
    }
    if bootstrap_rounds:
        metrics["macro_f1_ci95"] = list(bootstrap_macro_f1(y_true, y_pred, bootstrap_rounds))
    both = [c for c in range(len(labels)) if 0 < y_true[:, c].sum() < len(y_true)]
    if len(both) == len(labels):
        metrics["roc_auc"] = float(roc_auc_score(y_true, proba, average="macro"))
    return metrics


def classification_metrics(
    y_true, proba, labels: list[str], bootstrap_rounds: int = 1000, thresholds: Optional[np.ndarray] = None
) -> dict[str, Any]:
    """Single-label metrics from ids [N] and probabilities [N, C]; multi-label targets [N, C]
    go to multilabel_metrics (with per-label `thresholds`, default 0.5)."""
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=np.float64)
    if y_true.ndim == 2:
        return multilabel_metrics(y_true, proba, labels, bootstrap_rounds, thresholds)
    y_pred = proba.argmax(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(len(labels))), zero_division=0
    )
    metrics: dict[str, Any] = {
        "n": int(len(y_true)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", labels=list(range(len(labels))), zero_division=0)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "ece": expected_calibration_error(y_true, proba),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
    }
    if bootstrap_rounds:
        metrics["macro_f1_ci95"] = list(
            bootstrap_macro_f1(y_true, y_pred, bootstrap_rounds, labels=list(range(len(labels))))
        )
    present = np.unique(y_true)
    if len(present) == len(labels):
        if len(labels) == 2:
            metrics["roc_auc"] = float(roc_auc_score(y_true, proba[:, 1]))
        else:
            metrics["roc_auc"] = float(roc_auc_score(y_true, proba, multi_class="ovr", average="macro"))
    return metrics


def word_metrics(gold: list[list[bool]], weights: list[list[float]], threshold: float) -> dict[str, float]:
    """Precision, recall and F1 of highlighted words (weight >= threshold) against marked words,
    pooled over all words of all texts."""
    truth = np.array([g for per_text in gold for g in per_text], dtype=bool)
    predicted = np.array([w for per_text in weights for w in per_text]) >= threshold
    precision, recall, f1, _ = precision_recall_fscore_support(truth, predicted, average="binary", zero_division=0)
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "threshold": float(threshold),
        "marked_words": int(truth.sum()),
        "words": int(truth.size),
    }


def best_word_threshold(
    gold: list[list[bool]], weights: list[list[float]], keep: Optional[float] = None
) -> Optional[dict[str, float]]:
    """The word_metrics of the threshold (on a 0.05 grid) with the best F1 (the lowest on a tie);
    with `keep` (the threshold in use, on a refit), that one's unless another is strictly better.
    None when no word is marked: every threshold then scores F1 0, and there is nothing to choose by."""
    if not any(g for per_text in gold for g in per_text):
        return None
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    best = max((word_metrics(gold, weights, t) for t in grid), key=lambda m: m["f1"])
    kept = None if keep is None else word_metrics(gold, weights, keep)
    return kept if kept is not None and kept["f1"] >= best["f1"] else best


EMPTY_GROUP = "(no value)"


def group_metrics(
    y_true: np.ndarray,
    proba: np.ndarray,
    groups: Sequence[str],
    labels: list[str],
    flag: str,
    bootstrap_rounds: int = 1000,
) -> dict[str, Any]:
    """Single-label metrics within each group (e.g. the outlets' political leaning), to check
    for an asymmetry between groups: {"groups": {g: {n, macro_f1, macro_f1_ci95, roc_auc,
    gold_rate, predicted_rate, over_flagging}}, "gaps": {...}}. `*_rate` is the share of the
    group's rows that are (gold) or are predicted (argmax) `flag`; over_flagging is their
    difference: how much more often the model flags the group than its annotators did."""
    flag_index = labels.index(flag)
    groups = np.asarray([EMPTY_GROUP if g is None or g != g else str(g) for g in groups])  # g != g: NaN
    result: dict[str, Any] = {}
    for group in sorted(set(groups)):
        rows = groups == group
        gold, p = y_true[rows], proba[rows]
        predicted = p.argmax(axis=1)
        entry = {
            "n": int(rows.sum()),
            "macro_f1": float(
                f1_score(gold, predicted, average="macro", labels=list(range(len(labels))), zero_division=0)
            ),
            "gold_rate": float((gold == flag_index).mean()),
            "predicted_rate": float((predicted == flag_index).mean()),
        }
        entry["over_flagging"] = entry["predicted_rate"] - entry["gold_rate"]
        if len(set(gold.tolist())) > 1:  # ROC-AUC needs both classes in the group
            entry["roc_auc"] = float(roc_auc_score(gold == flag_index, p[:, flag_index]))
        if bootstrap_rounds:
            entry["macro_f1_ci95"] = list(
                bootstrap_macro_f1(gold, predicted, bootstrap_rounds, labels=list(range(len(labels))))
            )
        result[group] = entry
    named = [e for g, e in result.items() if g != EMPTY_GROUP]  # rows without a group are no group of their own
    gaps = {
        key: max(e[key] for e in named if key in e) - min(e[key] for e in named if key in e)
        for key in ("macro_f1", "roc_auc", "predicted_rate", "over_flagging")
        if sum(key in e for e in named) > 1
    }
    return {"flag_label": flag, "groups": result, "gaps": gaps}
