"""K-fold cross-validation of a training config against the TF-IDF baseline on the same folds.

Pools the config's train, extra train and dev data, splits it into stratified folds (fixed
seed), and for each fold trains the config's recipe on the other folds and scores the held-out
fold through the predictor. Where the recipe picks its epoch on dev (`train.select: best`), a
stratified 10% of the training folds serves as that dev set, so the held-out fold is never
looked at. With `group_by` (e.g. the outlet), whole groups are held out together (GroupKFold):
a proxy for data from sources the model never saw.

A `distill` section's pool joins every fold's training data. Its teacher was trained once on
all labelled data, held-out folds included, so a distilled recipe's figures here lean
optimistic; a strict estimate retrains the teacher per fold.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, train_test_split
from transformers import AutoTokenizer

from framing.training.base_model import resolve_base_model
from framing.training.config import Config
from framing.errors import FramingError
from framing.predictor import FramingClassifier
from framing.training.baseline import baseline_proba, tfidf_baseline
from framing.training.examples import join_examples, labelled_parts, teacher_examples
from framing.training.metrics import classification_metrics
from framing.training.resume import load_state
from framing.training.train import fit, load_intermediate


def crossval(config: Config, folds: int = 5, seed: int = 0, only: Optional[list[int]] = None,
             report: Callable[[dict], None] = lambda row: None, group_by: Optional[str] = None) -> dict[str, Any]:
    data_config = config.data
    base_path = resolve_base_model(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    parts, groups = labelled_parts(data_config, tokenizer, config.model.max_length, with_dev=True, group_by=group_by)
    examples, groups = join_examples(parts, data_config), [group_key(value) for value in groups]
    check_folds(examples.labels, data_config.label_names, folds, data_config.multi_label)  # before any training
    pool = (teacher_examples(config.distill, data_config.label_names, tokenizer, config.model.max_length)
            if config.distill else None)
    intermediate = load_intermediate(config, tokenizer)
    warm = _after_intermediate(config, base_path, tokenizer, intermediate)
    labels = data_config.label_names
    meta = {"labels": labels, "max_length": config.model.max_length, "multi_label": data_config.multi_label}
    # Multi-label targets cannot be stratified by class: plain shuffled folds.
    if group_by:
        if len(set(groups)) < folds:
            raise FramingError(f"--group-by {group_by}: {len(set(groups))} groups cannot fill {folds} folds")
        splits = GroupKFold(folds).split(examples.texts, examples.labels, groups)
    else:
        splitter = (KFold if data_config.multi_label else StratifiedKFold)(folds, shuffle=True, random_state=seed)
        splits = splitter.split(examples.texts, None if data_config.multi_label else examples.labels)
    rows, scored = [], []  # scored: (held-out rows, model and baseline probabilities) of each fold
    for number, (train_idx, test_idx) in enumerate(splits, start=1):
        if only and number not in only:
            continue
        started = time.perf_counter()
        dev = None
        if config.train.select == "best" and config.train.average_last == 1:
            train_idx, dev_idx = train_test_split(train_idx, test_size=0.1, random_state=seed,
                                                  stratify=None if data_config.multi_label else examples.labels[train_idx])
            dev = examples.subset(dev_idx)
        test = examples.subset(test_idx)
        fold_train = examples.subset(train_idx)
        if pool is not None:
            fold_train = join_examples([fold_train, pool], data_config)
        model, _ = fit(config, fold_train, dev, base_path, tokenizer, False, intermediate, resume_from=warm)
        proba = FramingClassifier.from_model(model, tokenizer, meta).predict_proba(test.texts)
        baseline = tfidf_baseline(seed, data_config.multi_label).fit([examples.texts[i] for i in train_idx],
                                                             examples.labels[train_idx])
        scored.append((test_idx, proba, baseline_proba(baseline, test.texts, len(labels))))
        rows.append({
            "fold": number, "n_train": len(train_idx), "n_test": len(test_idx),
            **({"held_out_groups": sorted(set(groups[i] for i in test_idx))} if group_by else {}),
            "test_label_counts": label_counts(test.labels, labels),
            "model_macro_f1": classification_metrics(test.labels, proba, labels, 0)["macro_f1"],
            "baseline_macro_f1": classification_metrics(test.labels, scored[-1][2], labels, 0)["macro_f1"],
            "seconds": round(time.perf_counter() - started, 1),
        })
        report(rows[-1])
    summary = {key: _mean_sd([r[key] for r in rows]) for key in ("model_macro_f1", "baseline_macro_f1")}
    return {"folds": rows, "summary": {**summary, "pooled": pooled_scores(examples.labels, scored, labels)}}


def label_counts(gold: np.ndarray, labels: list[str]) -> dict[str, int]:
    """How many held-out rows carry each label (a held-out outlet may be nearly all one class)."""
    counts = gold.sum(axis=0) if gold.ndim == 2 else np.bincount(gold, minlength=len(labels))
    return {name: int(count) for name, count in zip(labels, counts)}


def pooled_scores(gold: np.ndarray, scored: list[tuple], labels: list[str]) -> dict[str, Any]:
    """Macro-F1 over every held-out row at once: with folds of very different class balance (whole
    outlets held out), the mean of per-fold figures weighs a one-sided fold's rare class heavily."""
    rows = np.concatenate([test_idx for test_idx, _, _ in scored])
    model, baseline = (np.concatenate([fold[k] for fold in scored]) for k in (1, 2))
    return {"rows": int(len(rows)), "model_macro_f1": classification_metrics(gold[rows], model, labels, 0)["macro_f1"],
            "baseline_macro_f1": classification_metrics(gold[rows], baseline, labels, 0)["macro_f1"]}


def group_key(value: str) -> str:
    """Spellings of one group as one key: case, spacing and a leading "the" folded, so that
    "The Daily Beast" and "Daily Beast" (both in BABE) are held out together."""
    return re.sub(r"^the ", "", " ".join(value.split()).casefold())


def check_folds(labels, names: list[str], folds: int, multi_label: bool) -> None:
    """Enough rows for `folds` folds; for stratified (single-label) folds, enough of each class."""
    if len(labels) < folds:
        raise FramingError(f"--folds {folds}: the data has only {len(labels)} rows")
    if multi_label:
        return
    counts = np.bincount(np.asarray(labels), minlength=len(names))
    short = [f"'{name}' has {count}" for name, count in zip(names, counts) if 0 < count < folds]
    if short:
        raise FramingError(f"--folds {folds}: stratified folds need at least {folds} rows of each class "
                           f"({', '.join(short)})")


def _after_intermediate(config: Config, base_path: str, tokenizer, intermediate) -> Optional[dict]:
    """The intermediate stage does not depend on the fold (same data, seed and initial
    weights), so it runs once; every fold resumes from its end state, which gives the same
    weights as running it again per fold, in a fraction of the time."""
    if intermediate is None:
        return None
    with tempfile.TemporaryDirectory(prefix="framing-crossval-") as scratch:
        state_file = Path(scratch) / "state.pt"
        fit(config, None, None, base_path, tokenizer, False, intermediate, state_file=state_file)
        return load_state(state_file, config)


def _mean_sd(values: list[float]) -> dict[str, float]:
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0}


def render_crossval(result: dict[str, Any]) -> str:
    lines = []
    for key, name in [("model_macro_f1", "model"), ("baseline_macro_f1", "TF-IDF + LR")]:
        s = result["summary"][key]
        folds = ", ".join(f"{r[key]:.4f}" for r in result["folds"])
        lines.append(f"{name:12s} macro-F1 {s['mean']:.4f} ± {s['sd']:.4f} (folds: {folds}); "
                     f"pooled over the held-out rows {result['summary']['pooled'][key]:.4f}")
    return "\n".join(lines)


def print_row(row: dict) -> None:
    print(json.dumps(row), flush=True)
