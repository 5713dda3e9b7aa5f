"""`framing evaluate --techniques`: a technique head measured on labelled passages, beside a
TF-IDF one-vs-rest baseline, through the same `predict_techniques` users call.

The data holds one 0/1 column per technique the head names (a folded technique's own column
counts towards Other_Technique when the data has no Other_Technique column). Each technique's
precision, recall, F1 (with a bootstrap 95% interval) and support, and micro- and macro-F1 with
their intervals, at the thresholds stored in the checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support

from framing.data import require_columns, texts_of
from framing.errors import FramingError
from framing.output import atomic_folder
from framing.predictor import FramingClassifier
from framing.techniques import NOT_AVAILABLE, OTHER, TechniqueHead, display_name
from framing.training.baseline import tfidf_baseline
from framing.training.labels import load_table
from framing.training.metrics import FINE_GRID, best_thresholds, resampled
from framing.training.technique_data import TechniqueData, head_targets, technique_data, zero_one_columns


def gold_targets(frame: pd.DataFrame, head: TechniqueHead, source: str) -> np.ndarray:
    """[N, K] 0/1 in the head's label order, from the data's technique columns, read and folded
    as training reads them (training/technique_data.py)."""
    own = [label for label in head.labels if label != OTHER]
    other = [OTHER] if OTHER in frame.columns else [c for c in head.folded if c in frame.columns]
    if OTHER in head.labels and not other:
        raise FramingError(f"{source}: no {OTHER} column and none of the folded techniques' columns ({head.folded})")
    other = other if OTHER in head.labels else []
    require_columns(frame, own + other, source)
    return head_targets(zero_one_columns(frame, own + other, source), own, other).astype(int)


def technique_metrics(
    targets: np.ndarray, predicted: np.ndarray, labels: list[str], rounds: int = 1000
) -> dict[str, Any]:
    """Per label precision, recall, F1 (95% interval over `rounds` resamples of the passages) and
    support; micro- and macro-F1 with their intervals. targets, predicted: [N, K] 0/1."""
    precision, recall, f1, support = precision_recall_fscore_support(targets, predicted, zero_division=0)

    def scores(idx: np.ndarray) -> np.ndarray:  # [K + 2]: each label's F1, micro, macro
        per = f1_score(targets[idx], predicted[idx], average=None, zero_division=0)
        micro = f1_score(targets[idx], predicted[idx], average="micro", zero_division=0)
        return np.concatenate([per, [micro, per.mean()]])

    resamples = np.stack(resampled(scores, len(targets), rounds)) if rounds else None  # [rounds, K + 2]

    def interval(column: int) -> Optional[list[float]]:
        return None if resamples is None else [float(v) for v in np.percentile(resamples[:, column], [2.5, 97.5])]

    point = scores(np.arange(len(targets)))
    return {
        "n": int(len(targets)),
        "micro_f1": float(point[-2]),
        "micro_f1_ci95": interval(len(labels)),
        "macro_f1": float(point[-1]),
        "macro_f1_ci95": interval(len(labels) + 1),
        "per_technique": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "f1_ci95": interval(i),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
    }


def baseline_predictions(seen: TechniqueData, shared_threshold: bool, texts: list[str]) -> np.ndarray:
    """The project's TF-IDF baseline (training/baseline.py), one logistic regression per
    technique on the head's training paragraphs, its thresholds tuned on dev as the head's are
    (one shared, or one each): its 0/1 predictions [N, K] for `texts`."""
    baseline = tfidf_baseline(multi_label=True).set_params(tfidfvectorizer__min_df=2)
    baseline.fit(seen.train_texts, seen.train_targets)
    found = best_thresholds(seen.dev_targets, baseline.predict_proba(seen.dev_texts), FINE_GRID, shared_threshold)
    return (baseline.predict_proba(texts) >= found).astype(int)


def evaluate_techniques(
    checkpoint,
    data: str,
    output: str | Path,
    text_column: str = "text",
    overwrite: bool = False,
    runtime: str = "auto",
    baseline: bool = True,
    rounds: int = 1000,
) -> dict[str, Any]:
    classifier = FramingClassifier.from_pretrained(checkpoint, runtime=runtime)
    head = classifier.meta.techniques
    if head is None:
        raise FramingError(f"{classifier.checkpoint_dir}: {NOT_AVAILABLE}")
    frame = load_table(data)
    require_columns(frame, [text_column], data)
    texts, targets = texts_of(frame, text_column, data), gold_targets(frame, head, data)
    predicted = (classifier.predict_techniques(texts) >= head.threshold_array()).astype(int)
    results = {"data": str(data), "model": technique_metrics(targets, predicted, head.labels, rounds)}
    section = _training_section(classifier)
    if baseline and section is not None:
        made = baseline_predictions(technique_data(section), section.threshold_policy == "shared", texts)
        results["baseline"] = technique_metrics(targets, made, head.labels, rounds)
    with atomic_folder(output, overwrite, kind="evaluation") as folder:
        import json

        (folder / "metrics.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (folder / "report.md").write_text(render_technique_report(results), encoding="utf-8")
    return results


def _training_section(classifier):
    """The techniques section of the checkpoint's training config (the baseline's training data)."""
    from framing.training.evaluate import training_config_of

    config = training_config_of(classifier)
    return config.techniques if config is not None else None


def render_technique_report(results: dict[str, Any]) -> str:
    model, base = results["model"], results.get("baseline")
    lines = [
        f"# Persuasion techniques on {results['data']} ({model['n']} passages)",
        "",
        "| technique | support | precision | recall | F1 (95% CI) |" + (" TF-IDF baseline F1 |" if base else ""),
        "| --- | --- | --- | --- | --- |" + (" --- |" if base else ""),
    ]
    for label, row in model["per_technique"].items():
        ci = f" ({row['f1_ci95'][0]:.2f}-{row['f1_ci95'][1]:.2f})" if row["f1_ci95"] else ""
        cells = f"| {display_name(label)} | {row['support']} | {row['precision']:.3f} | {row['recall']:.3f} | "
        extra = f" {base['per_technique'][label]['f1']:.3f} |" if base else ""
        lines.append(cells + f"{row['f1']:.3f}{ci} |" + extra)
    for name in ("micro_f1", "macro_f1"):
        ci = model[f"{name}_ci95"]
        interval = f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})" if ci else ""
        against = f"; TF-IDF baseline {base[name]:.3f}" if base else ""
        lines += ["", f"{name.replace('_f1', '').capitalize()}-F1 {model[name]:.3f}{interval}{against}."]
    return "\n".join(lines) + "\n"
