"""Cross-validation's figures: per-fold and pooled scores of the model, the baseline and the
fold teachers, paired comparisons, per-column figures, fold means, and the text report."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

import numpy as np

from framing.training.compare import mcnemar, paired_bootstrap
from framing.training.metrics import classification_metrics

# The figures crossval gives, with their printed names: each scorer's, each metric.
SCORERS = {"model": "model", "baseline": "TF-IDF + LR", "teacher": "fold teachers"}
METRICS = {"macro_f1": "macro-F1", "roc_auc": "ROC-AUC"}


@dataclasses.dataclass
class Gold:
    """Another label column's targets for every labelled row of the run: `has` [N] marks the
    rows it labels, `labels` [N] (or [N, C] multi-label) holds their targets (0 elsewhere)."""

    has: np.ndarray
    labels: np.ndarray


def label_counts(gold: np.ndarray, labels: list[str]) -> dict[str, int]:
    """How many held-out rows carry each label (a held-out outlet may be nearly all one class)."""
    counts = gold.sum(axis=0) if gold.ndim == 2 else np.bincount(gold, minlength=len(labels))
    return {name: int(count) for name, count in zip(labels, counts)}


def pooled_scores(
    gold: np.ndarray, scored: list[tuple], labels: list[str], has: Optional[np.ndarray] = None
) -> dict[str, Any]:
    """Macro-F1 and ROC-AUC over every held-out row at once (those `has` [N] marks, if given):
    with folds of very different class balance (whole outlets held out), the mean of per-fold
    figures weighs a one-sided fold's rare class heavily."""
    rows = np.concatenate([fold[0] for fold in scored])
    model, baseline = (np.concatenate([fold[k] for fold in scored]) for k in (1, 2))
    keep = np.ones(len(rows), dtype=bool) if has is None else has[rows]
    rows = rows[keep]
    pooled = {
        "rows": int(len(rows)),
        **scores_of("model", gold[rows], model[keep], labels),
        **scores_of("baseline", gold[rows], baseline[keep], labels),
    }
    teachers = [np.concatenate([fold[3][k] for fold in scored])[keep] for k in range(len(scored[0][3]))]  # [n, C]
    if teachers:
        pooled.update(scores_of("teacher", gold[rows], np.mean(teachers, axis=0), labels))
    if teachers and gold.ndim == 1:
        pooled["model_vs_teachers"] = model_vs_teachers(gold[rows], model[keep], teachers)
    return pooled


def model_vs_teachers(gold: np.ndarray, model: np.ndarray, teachers: list[np.ndarray]) -> dict[str, Any]:
    """Paired tests of the distilled model against its fold teachers' average and each fold
    teacher, on the same held-out rows (gold [n], probabilities [n, C]): does the student keep
    what its teachers know? A positive difference is the model's lead."""
    predicted = model.argmax(axis=1)

    def against(proba: np.ndarray) -> dict[str, Any]:
        other = proba.argmax(axis=1)
        return {
            **paired_bootstrap(gold, predicted, other, model.shape[1]),
            "mcnemar": mcnemar(predicted == gold, other == gold),
        }

    return {"teachers_average": against(np.mean(teachers, axis=0)), "each_teacher": [against(t) for t in teachers]}


def label_column_figures(gold: np.ndarray, scored: tuple, labels: list[str]) -> dict[str, Any]:
    """One fold's figures against the config's label column (`gold` [N]), which labels every row."""
    figures = column_figures(Gold(np.ones(len(gold), dtype=bool), gold), scored, labels)
    del figures["rows"]  # the fold's n_test
    return figures


def column_figures(gold: Gold, scored: tuple, labels: list[str]) -> dict[str, Any]:
    """One fold's figures against another label column, on the held-out rows it labels."""
    test_idx, model, baseline, teachers = scored
    keep = gold.has[test_idx]
    if not keep.any():  # e.g. a held-out outlet only a file without the column has
        return {"rows": 0}
    target = gold.labels[test_idx][keep]
    figures = {
        "rows": int(keep.sum()),
        **scores_of("model", target, model[keep], labels),
        **scores_of("baseline", target, baseline[keep], labels),
    }
    if teachers:
        figures.update(scores_of("teacher", target, np.mean(teachers, axis=0)[keep], labels))
        each = [scores_of("each_teacher", target, t[keep], labels) for t in teachers]
        figures.update({key: [e[key] for e in each] for key in each[0]})
    return figures


def scores_of(name: str, gold: np.ndarray, proba: np.ndarray, labels: list[str]) -> dict[str, float]:
    """`name`'s macro-F1 at the model's own decision and ROC-AUC (threshold-free), from gold
    [n] and probabilities [n, C]: a held-out outlet's base rate can differ from training's a
    lot, which moves the F1 of well-ranked scores; AUC tells ranking from threshold. No AUC
    where the rows hold one class only."""
    metrics = classification_metrics(gold, proba, labels, 0)
    return {f"{name}_{key}": metrics[key] for key in METRICS if key in metrics}


def fold_means(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Mean and SD over the folds of each figure, from the folds that have it (a fold whose
    held-out rows hold one class has no ROC-AUC; one without rows of a column, no figures)."""
    keys = [f"{name}_{metric}" for name in SCORERS for metric in METRICS]
    return {key: _mean_sd([r[key] for r in rows if key in r]) for key in keys if any(key in r for r in rows)}


def _mean_sd(values: list[float]) -> dict[str, float]:
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0}


def render_crossval(result: dict[str, Any]) -> str:
    lines = render_summary(result["summary"], result["folds"])
    for column, summary in result["summary"].get("by_label_column", {}).items():
        lines.append(f"against {column} (the held-out rows it labels):")
        folds = [row["by_label_column"][column] for row in result["folds"]]
        lines += ["  " + line for line in render_summary(summary, folds)]
    return "\n".join(lines)


def render_summary(summary: dict[str, Any], folds: list[dict]) -> list[str]:
    def each(key: str) -> str:
        return ", ".join(f"{r[key]:.4f}" if key in r else "n/a" for r in folds)

    lines = []
    for name, title in SCORERS.items():
        for metric, metric_title in METRICS.items():
            key = f"{name}_{metric}"
            if key not in summary:
                continue
            s, pooled = summary[key], summary["pooled"].get(key)
            lines.append(
                f"{title:12s} {metric_title} {s['mean']:.4f} ± {s['sd']:.4f} (folds: {each(key)})"
                + ("" if pooled is None else f"; pooled over the held-out rows {pooled:.4f}")
                + (", their average" if name == "teacher" else "")
            )
    paired = summary["pooled"].get("model_vs_teachers")
    if paired:
        test = paired["teachers_average"]
        low, high = test["ci95"]
        lines.append(
            f"{'':12s} model minus their average, pooled: {test['macro_f1_difference']:+.4f} (95% CI "
            f"{low:+.4f} to {high:+.4f}, bootstrap p {test['p_value']:.3f}; McNemar p "
            f"{test['mcnemar']['p_value']:.3f})"
        )
    return lines


def print_row(row: dict) -> None:
    print(json.dumps(row), flush=True)
