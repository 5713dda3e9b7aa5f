"""Measure a checkpoint on labelled data through the same predict path users call, beside a
TF-IDF + logistic regression baseline trained on the checkpoint's own training data.

Writes, atomically, a folder with metrics.json, report.md, confusion_matrix.png and
reliability.png.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from framing.data import read_table, require_columns, texts_of
from framing.errors import FramingError
from framing.output import atomic_folder, ensure_writable
from framing.predictor import FramingClassifier
from framing.training.baseline import baseline_proba, tfidf_baseline
from framing.training.config import Config, load_config
from framing.training.config_files import local_path
from framing.training.examples import word_truth
from framing.training.labels import (
    UNLABELLED,
    fingerprint,
    is_local,
    load_table,
    targets_of,
    without_labels,
    word_lists,
)
from framing.training.metrics import classification_metrics, group_metrics, word_metrics
from framing.training.plots import confusion_matrix_png, per_class_f1_png, reliability_png


def training_config_of(classifier: FramingClassifier) -> Optional[Config]:
    path = Path(classifier.checkpoint_dir) / "training_config.yaml" if classifier.checkpoint_dir else None
    return load_config(path) if path and path.is_file() else None


def training_split(classifier: FramingClassifier, split: str) -> Optional[str]:
    """The checkpoint's own training `split` file ("train" or "dev"), for commands whose --data
    defaults to it; None where its config names none. The config's path is relative to where
    training ran, unknown here: it is looked up from the current folder, then from the checkpoint
    folder and each one above it, and a file is used only when its sha256 is the one training
    recorded (metrics.json), never another file at that path. A hub dataset is used as named."""
    trained = training_config_of(classifier)
    source = getattr(trained.data, split) if trained else None
    if not source:
        return None
    folder = Path(classifier.checkpoint_dir).resolve()
    recorded = next(
        (
            entry.get("sha256")
            for entry in _provenance(folder)
            if entry.get("split") == split and entry.get("source") == source
        ),
        None,
    )
    if recorded is None and not is_local(source):
        return source  # the hub keeps the dataset's revisions
    if recorded is None:
        raise FramingError(
            f"the checkpoint's {split} data {source}: training recorded no sha256 of it to check a "
            f"file against; pass --data FILE"
        )
    for base in dict.fromkeys([Path.cwd(), folder, *folder.parents]):
        candidate = source if base == Path.cwd() else os.path.normpath(base / source)  # as written where it can be
        if Path(candidate).exists() and fingerprint(candidate) == recorded:
            return candidate
    raise FramingError(
        f"the checkpoint's {split} data {source}: no file of the sha256 training recorded "
        f"({recorded[:12]}...) there, from the current folder or the checkpoint's; pass --data FILE"
    )


def _provenance(folder: Path) -> list[dict]:
    """The data sources training recorded in the checkpoint's metrics.json ([] where none), a
    source written from the data root (`${FRAMING_DATA}/babe/dev.csv`, as the shipped models
    record theirs) expanded as the config's own paths are, so that the two compare."""
    try:
        entries = list(json.loads((folder / "metrics.json").read_text(encoding="utf-8")).get("data") or [])
    except (OSError, ValueError, AttributeError):
        return []
    return [{**entry, "source": local_path(entry.get("source"))} for entry in entries if isinstance(entry, dict)]


@dataclass
class LabelledData:
    frame: pd.DataFrame
    label_column: str  # where the gold labels came from
    unlabelled: int  # rows left out for an empty label cell
    texts: list[str]
    gold: np.ndarray  # [N] label ids in the checkpoint's order ([N, C] 0/1 for multi-label)
    config: Optional[Config]  # the checkpoint's training config, if it has one


def labelled_data(
    classifier: FramingClassifier, data: str, text_column: Optional[str] = None, label_column: Optional[str] = None
) -> LabelledData:
    """Read gold data for a checkpoint: columns default to its training columns, labels are
    mapped with its own mapping, and rows with a label it drops (e.g. "No agreement") are left out,
    as are rows with an empty label cell (a label column only some rows have, e.g. BABE's
    reviewed labels): there is nothing to measure them against; they are counted."""
    trained = training_config_of(classifier)
    text_column = text_column or (trained.data.text_column if trained else "text")
    label_column = label_column or (trained.data.label_column if trained else "label")
    table = read_table(data)
    labelled = without_labels(table, label_column, [UNLABELLED], data) if not classifier.multi_label else table
    frame = without_labels(labelled, label_column, classifier.meta.drop_labels, data)
    texts = texts_of(frame, text_column, data)
    gold = targets_of(
        frame,
        label_column,
        classifier.meta.label_mapping,
        classifier.labels,
        data,
        classifier.multi_label,
        classifier.meta.label_separator,
    )
    return LabelledData(frame, label_column, len(table) - len(labelled), texts, gold, trained)


def baseline_metrics(
    classifier: FramingClassifier, source: str, text_column: str, label_column: str, texts: list[str], gold: np.ndarray
) -> dict[str, Any]:
    """Train the baseline on `source` (labels mapped like the checkpoint's) and score `texts`."""
    frame = without_labels(load_table(source, "train"), label_column, classifier.meta.drop_labels, source)
    train_texts = texts_of(frame, text_column, source)
    train_gold = targets_of(
        frame,
        label_column,
        classifier.meta.label_mapping,
        classifier.labels,
        source,
        classifier.multi_label,
        classifier.meta.label_separator,
    )
    baseline = tfidf_baseline(multi_label=classifier.multi_label).fit(train_texts, train_gold)
    metrics = classification_metrics(gold, baseline_proba(baseline, texts, len(classifier.labels)), classifier.labels)
    metrics["trained_on"] = source
    return metrics


def evaluate(
    checkpoint: Optional[str],
    data: str,
    output: str | Path,
    text_column: Optional[str] = None,
    label_column: Optional[str] = None,
    overwrite: bool = False,
    baseline_train: Optional[str] = "auto",
    runtime: str = "auto",
    group_by: Optional[str] = None,
) -> dict[str, Any]:
    """Evaluate `checkpoint` on `data`; `baseline_train` "auto" uses the checkpoint's training data;
    `group_by` (a column, e.g. BABE's `type`, the outlet's leaning) adds the metrics per group."""
    ensure_writable(output, overwrite, kind="evaluation")  # before the work
    classifier = FramingClassifier.from_pretrained(checkpoint, runtime=runtime)
    if group_by and classifier.multi_label:
        raise FramingError("--group-by needs a single-label checkpoint (this one is multi-label)")
    gold_data = labelled_data(classifier, data, text_column, label_column)
    if group_by:
        require_columns(gold_data.frame, [group_by], data)
    frame, texts, gold, trained = gold_data.frame, gold_data.texts, gold_data.gold, gold_data.config
    words_column = trained.data.words_column if trained else None
    if words_column and words_column in frame.columns and classifier.marks_words:  # no figures of an untrained head
        proba, words = classifier.predict_with_words(texts, min_weight=0.0)
    else:
        proba, words = classifier.predict_proba(texts), None
    results: dict[str, Any] = {
        "checkpoint": str(classifier.checkpoint_dir),
        "data": str(data),
        "labels": classifier.labels,
        "runtime": classifier.runtime.name,
        "multi_label": classifier.multi_label,
        "label_column": gold_data.label_column,
        "unlabelled_rows_left_out": gold_data.unlabelled,
        "model": classification_metrics(gold, proba, classifier.labels, thresholds=classifier.thresholds),
    }
    if group_by:
        results["by_group"] = {
            "column": group_by,
            **group_metrics(gold, proba, frame[group_by].tolist(), classifier.labels, classifier.flag_label),
        }
    if words is not None:
        marked = word_lists(frame, words_column, data)
        results["model"]["words"] = word_metrics(*word_truth(texts, marked, words), classifier.word_threshold)
    _add_baseline(results, classifier, baseline_train, trained, text_column, label_column, texts, gold)
    with atomic_folder(output, overwrite, kind="evaluation") as folder:
        _write_evaluation(folder, results, classifier, gold, proba)
    return results


def _add_baseline(results, classifier, baseline_train, trained, text_column, label_column, texts, gold) -> None:
    """The TF-IDF baseline's figures on the same rows ("auto": trained on the checkpoint's training data)."""
    if baseline_train == "auto":
        baseline_train = training_split(classifier, "train")
        if baseline_train is None:
            raise FramingError(
                "the checkpoint has no training_config.yaml: pass --baseline-train FILE or --no-baseline"
            )
    if baseline_train:
        train_text = trained.data.text_column if trained else text_column
        train_label = trained.data.label_column if trained else label_column
        results["baseline_tfidf_logreg"] = baseline_metrics(
            classifier, baseline_train, train_text, train_label, texts, gold
        )


def _write_evaluation(folder: Path, results: dict, classifier, gold, proba) -> None:
    (folder / "metrics.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if classifier.multi_label:  # no single confusion matrix: F1 per label instead
        per_class_f1_png(
            folder / "per_label_f1.png", {"framing model": results["model"]["per_class"]}, classifier.labels
        )
    else:
        confusion_matrix_png(folder / "confusion_matrix.png", gold, proba.argmax(axis=1), classifier.labels)
    reliability_png(folder / "reliability.png", gold, proba)
    (folder / "report.md").write_text(render_report(results), encoding="utf-8")


def _words_and_classes(results: dict[str, Any]) -> list[str]:
    """The report's marked-words line, its table per group and its table per class."""
    lines: list[str] = []
    if "words" in results["model"]:
        w = results["model"]["words"]
        lines += [
            "",
            "## Highlighted words (framing model)",
            "",
            f"Word-level precision {w['precision']:.4f}, recall {w['recall']:.4f}, F1 {w['f1']:.4f} against the "
            f"annotators' marked words ({w['marked_words']} of {w['words']} words marked; "
            f"threshold {w['threshold']:.2f}).",
        ]
    if "by_group" in results:
        lines += group_table(results["by_group"])
    lines += [
        "",
        "## Per class (framing model)",
        "",
        "| label | precision | recall | F1 | support |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, c in results["model"]["per_class"].items():
        lines.append(f"| {label} | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} | {c['support']} |")
    return lines


def render_report(results: dict[str, Any]) -> str:
    systems = {"framing model": results["model"]}
    if "baseline_tfidf_logreg" in results:
        systems["TF-IDF + logistic regression"] = results["baseline_tfidf_logreg"]
    lines = [
        "# Evaluation report",
        "",
        f"- checkpoint: `{results['checkpoint']}` (back end `{results['runtime']}`)",
        f"- data: `{results['data']}`, labels from column `{results['label_column']}` ({results['model']['n']} passages"
        + (
            "; " + str(results["unlabelled_rows_left_out"]) + " without a label left out"
            if results["unlabelled_rows_left_out"]
            else ""
        )
        + ")",
        "",
        "| system | macro-F1 (95% CI) | accuracy | ROC-AUC | ECE |",
        "| --- | --- | --- | --- | --- |",
    ]
    if results.get("multi_label"):
        lines[-2] = "| system | macro-F1 (95% CI) | exact-match accuracy | ROC-AUC | ECE |"
    for name, m in systems.items():
        low, high = m["macro_f1_ci95"]
        lines.append(
            f"| {name} | {m['macro_f1']:.4f} ({low:.3f}–{high:.3f}) | {m['accuracy']:.4f} | "
            f"{m.get('roc_auc', float('nan')):.4f} | {m['ece']:.4f} |"
        )
    lines += _words_and_classes(results)
    if results.get("multi_label"):
        thresholds = ", ".join(f"`{k}` {v:.2f}" for k, v in results["model"]["thresholds"].items())
        lines += [
            "",
            f"Micro-F1 {results['model']['micro_f1']:.4f}. A label is predicted when its probability reaches "
            f"its threshold (tuned on dev): {thresholds}.",
            "",
            "![F1 per label](per_label_f1.png)",
            "",
            "![reliability diagram](reliability.png)",
            "",
            "The interval is a 95% percentile bootstrap over passages (1,000 resamples). ECE: expected "
            "calibration error of every label's probability, over 15 equal-width bins.",
            "",
        ]
        return "\n".join(lines)
    lines += [
        "",
        "![confusion matrix](confusion_matrix.png)",
        "",
        "![reliability diagram](reliability.png)",
        "",
        "The interval is a 95% percentile bootstrap over passages (1,000 resamples). ECE: expected "
        "calibration error over 15 equal-width bins of the top label's probability.",
        "",
    ]
    return "\n".join(lines)


def group_table(by_group: dict[str, Any]) -> list[str]:
    """Markdown lines: the metrics of each group and the gaps between them (report and model card)."""
    flag = by_group["flag_label"]
    lines = [
        "",
        f"## By `{by_group['column']}`",
        "",
        f"| group | rows | macro-F1 (95% CI) | ROC-AUC | {flag}: gold rate | predicted rate | over-flagging |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group, m in by_group["groups"].items():
        low, high = m.get("macro_f1_ci95", [float("nan")] * 2)
        lines.append(
            f"| {group} | {m['n']} | {m['macro_f1']:.3f} ({low:.3f}–{high:.3f}) | "
            f"{m.get('roc_auc', float('nan')):.3f} | "
            f"{m['gold_rate']:.3f} | {m['predicted_rate']:.3f} | {m['over_flagging']:+.3f} |"
        )
    gaps = by_group["gaps"]
    if gaps:
        lines += [
            "",
            "Largest gap between groups (rows without a value left out of the gaps): "
            + ", ".join(f"{name.replace('_', ' ')} {value:.3f}" for name, value in gaps.items())
            + ". Over-flagging is the "
            f"predicted share of `{flag}` minus the annotators' share in the group: a positive value means the model "
            "flags that group more often than its annotators did; the predicted rate alone follows how often the "
            "annotators flagged each group. Intervals over groups of a hundred-odd rows are wide.",
        ]
    return lines
