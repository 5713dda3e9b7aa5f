"""`framing compare`: two checkpoints on the same labelled examples, with paired tests.

- McNemar's exact test on the examples one model gets right and the other wrong;
- a paired bootstrap of the macro-F1 difference (the same resampled examples for both).
Writes metrics.json, report.md, per_class_f1.png and pr_curves.png, atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
from scipy.stats import binomtest
from sklearn.metrics import f1_score

from framing.errors import FramingError
from framing.output import atomic_folder, ensure_writable
from framing.predictor import FramingClassifier
from framing.training.evaluate import labelled_data
from framing.training.metrics import classification_metrics, resampled
from framing.training.plots import per_class_f1_png, pr_curves_png


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> dict[str, Any]:
    only_a = int((correct_a & ~correct_b).sum())
    only_b = int((~correct_a & correct_b).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return {"only_a_correct": only_a, "only_b_correct": only_b, "p_value": float(p)}


def paired_difference(
    difference: Callable[[np.ndarray], float], n: int, rounds: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """A paired bootstrap of `difference(indices)` (a statistic of B minus A on the same rows)
    over `n` rows: the observed value, its 95% interval and a two-sided p-value. Resamples
    where the statistic is undefined (NaN: one class drawn, for ROC-AUC) are left out."""
    deltas = resampled(difference, n, rounds, seed)
    deltas = deltas[np.isfinite(deltas)]
    if not len(deltas):
        raise FramingError(f"the paired difference is undefined on every one of {rounds} resamples")
    low, high = np.percentile(deltas, [2.5, 97.5])
    # two-sided: how often the resampled difference lies on the other side of zero
    p = min(1.0, 2 * min((deltas <= 0).mean(), (deltas >= 0).mean()))
    return {
        "difference": float(difference(np.arange(n))),
        "ci95": [float(low), float(high)],
        "p_value": float(p),
        "rounds": int(len(deltas)),
    }


def paired_bootstrap(
    y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, num_labels: int, rounds: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Macro-F1 of A minus B, averaged over every label (as classification_metrics does), on
    the same resampled examples for both."""
    labels = list(range(num_labels))  # not just those present in y: one gold class must not change the average
    f1 = lambda idx, pred: f1_score(y[idx], pred[idx], average="macro", labels=labels, zero_division=0)  # noqa: E731
    result = paired_difference(lambda idx: f1(idx, pred_a) - f1(idx, pred_b), len(y), rounds, seed)
    return {"macro_f1_difference": result.pop("difference"), **result}


def compare(
    checkpoint_a: str,
    checkpoint_b: str,
    data: str,
    output: str | Path,
    text_column: Optional[str] = None,
    label_column: Optional[str] = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    ensure_writable(output, overwrite, kind="comparison")
    a, b = FramingClassifier.from_pretrained(checkpoint_a), FramingClassifier.from_pretrained(checkpoint_b)
    if a.labels != b.labels:
        raise FramingError(f"the checkpoints have different labels: {a.labels} and {b.labels}")
    gold_data = labelled_data(a, data, text_column, label_column)
    texts, gold = gold_data.texts, gold_data.gold
    proba = {"A": a.predict_proba(texts), "B": b.predict_proba(texts)}
    pred = {"A": a.results.decide(proba["A"]), "B": b.results.decide(proba["B"])}
    # correct: the label, or for multi-label data the whole set of labels
    correct = {k: (v == gold).all(axis=1) if gold.ndim == 2 else v == gold for k, v in pred.items()}
    result = {
        "data": str(data),
        "labels": a.labels,
        "A": {
            "checkpoint": str(a.checkpoint_dir),
            **classification_metrics(gold, proba["A"], a.labels, thresholds=a.thresholds),
        },
        "B": {
            "checkpoint": str(b.checkpoint_dir),
            **classification_metrics(gold, proba["B"], a.labels, thresholds=b.thresholds),
        },
        "mcnemar": mcnemar(correct["A"], correct["B"]),
        "paired_bootstrap": paired_bootstrap(gold, pred["B"], pred["A"], len(a.labels)),  # B - A, as the CLI says
    }
    with atomic_folder(output, overwrite, kind="comparison") as folder:
        (folder / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        per_class_f1_png(folder / "per_class_f1.png", {k: result[k]["per_class"] for k in ("A", "B")}, a.labels)
        pr_curves_png(folder / "pr_curves.png", gold, proba, a.labels)
        (folder / "report.md").write_text(render_comparison(result), encoding="utf-8")
    return result


def render_comparison(r: dict[str, Any]) -> str:
    boot, test = r["paired_bootstrap"], r["mcnemar"]
    lines = [
        "# Comparison",
        "",
        f"- data: `{r['data']}` ({r['A']['n']} examples)",
        f"- A: `{r['A']['checkpoint']}`",
        f"- B: `{r['B']['checkpoint']}`",
        "",
        "| | macro-F1 (95% CI) | accuracy | ECE |",
        "| --- | --- | --- | --- |",
    ]
    for key in ("A", "B"):
        m = r[key]
        lines.append(
            f"| {key} | {m['macro_f1']:.4f} ({m['macro_f1_ci95'][0]:.3f}–{m['macro_f1_ci95'][1]:.3f}) | "
            f"{m['accuracy']:.4f} | {m['ece']:.4f} |"
        )
    lines += [
        "",
        f"Macro-F1 difference B − A: {boot['macro_f1_difference']:+.4f} (paired bootstrap 95% CI "
        f"{boot['ci95'][0]:+.4f} to {boot['ci95'][1]:+.4f}, p = {boot['p_value']:.3f}, {boot['rounds']} resamples).",
        f"McNemar's exact test: A alone right on {test['only_a_correct']}, B alone right on "
        f"{test['only_b_correct']}; p = {test['p_value']:.3f}.",
        "",
        "![per-class F1](per_class_f1.png)",
        "",
        "![precision-recall curves](pr_curves.png)",
        "",
    ]
    return "\n".join(lines)
