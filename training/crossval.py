"""K-fold cross-validation of a training config against the TF-IDF baseline on the same folds.

Pools the config's train, extra train and dev data, splits it into stratified folds (fixed
seed), and for each fold trains the config's recipe on the other folds and scores the held-out
fold through the predictor. Where the recipe picks its epoch on dev (`train.select: best`), a
stratified 10% of the training folds serves as that dev set, so the held-out fold is never
looked at. With `group_by` (e.g. the outlet), whole groups are held out together (GroupKFold):
a proxy for data from sources the model never saw. Every figure is also given against each of
the config's `data.report_label_columns` (e.g. BABE's original labels beside the reviewed ones
it trains on), on the held-out rows that column labels.

A `distill` section's pool joins every fold's training data. By default its scores are the
files the config names, from teachers trained once on all labelled data, held-out folds
included, so a distilled recipe's figures lean optimistic. With `teachers` (configs), every
fold trains each teacher on that fold's training rows alone (calibrated on a stratified 10% of
them), scores the pool's texts with it and distils from the average: a strict estimate.

With a `work` folder, each finished fold (its held-out probabilities) and each fold teacher's
pool scores are kept there, and every training saves its state there as it goes, so a run
killed mid-way continues with `resume` where it stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import numpy as np
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

from framing.errors import FramingError
from framing.training.config import Config
from framing.training.crossval_folds import check_folds
from framing.training.crossval_recipe import Recipe, prepare, same_rows
from framing.training.crossval_report import Gold, column_figures, fold_means, label_column_figures, pooled_scores
from framing.training.crossval_training import run_fold
from framing.training.crossval_work import _in, claim_work, load_fold
from framing.training.examples import Examples, pool_examples, teacher_examples
from framing.training.training_data import data_provenance


def crossval(
    config: Config,
    folds: int = 5,
    seed: int = 0,
    only: Optional[list[int]] = None,
    report: Callable[[dict], None] = lambda row: None,
    group_by: Optional[str] = None,
    teachers: Optional[list[Config]] = None,
    work: Optional[Path] = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Every fold's row (sizes, time, figures) and their summary; `report` is called with each
    row as its fold ends."""
    data_config, labels = config.data, config.data.label_names
    if teachers and not config.distill:
        raise FramingError(
            "teachers: the config has no distill section, so there is no pool for fold teachers to score"
        )
    if any(c.trains_techniques_jointly for c in [config, *(teachers or [])]):  # folds would not
        raise FramingError("techniques.joint_weight: cross-validation does not train techniques jointly; set it to 0")
    if work is not None:
        claim_work(work, run_record(config, teachers or [], folds, seed, group_by), resume)
    student, groups, report_gold = prepare(config, group_by)
    examples = student.examples
    check_folds(examples.labels, labels, folds, data_config.multi_label)  # before any training
    pool = fold_pool(config, student, bool(teachers))
    fold_teachers = [
        same_rows(prepare(teacher)[0], student, number) for number, teacher in enumerate(teachers or [], start=1)
    ]
    student.warm_file = _in(work, "intermediate.state.pt")
    for number, teacher in enumerate(fold_teachers, start=1):
        teacher.warm_file = _in(work, f"teacher-{number}-intermediate.state.pt")
    splits = fold_splits(student, groups, group_by, folds, seed)
    rows, scored = [], []  # scored: (held-out rows, model and baseline probabilities) of each fold
    for number, (train_idx, test_idx) in enumerate(splits, start=1):
        if only and number not in only:
            continue
        done = work / f"fold-{number}.npz" if work else None
        if done is not None and resume and done.is_file():
            row, fold_scores = load_fold(done)
        else:
            held_out = sorted(set(groups[i] for i in test_idx)) if group_by else None
            row, fold_scores = run_fold(
                number, train_idx, test_idx, student, pool, fold_teachers, seed, held_out, work, resume
            )
        row = fold_figures(row, fold_scores, examples.labels, labels, report_gold)
        rows.append(row)
        scored.append(fold_scores)
        report(row)
    return {"folds": rows, "summary": crossval_summary(rows, scored, examples.labels, labels, report_gold)}


def fold_pool(config: Config, student: Recipe, fold_teachers: bool) -> Optional[Examples]:
    """The distillation pool every fold trains on: its texts alone where fold teachers score them,
    else with the scores of the config's teacher files (None without a distill section)."""
    if config.distill and fold_teachers:  # only the pool's texts: each fold's teachers score them
        return pool_examples(config.distill, student.tokenizer, config.model.max_length)
    if config.distill:
        return teacher_examples(config.distill, config.data.label_names, student.tokenizer, config.model.max_length)
    return None


def fold_splits(
    student: Recipe, groups: list[str], group_by: Optional[str], folds: int, seed: int
) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """(training rows, held-out rows) of each fold: whole groups held out together with
    `group_by`, else stratified folds (multi-label targets cannot be stratified by class: plain
    shuffled folds)."""
    examples, multi_label = student.examples, student.config.data.multi_label
    if group_by:
        if len(set(groups)) < folds:
            raise FramingError(f"--group-by {group_by}: {len(set(groups))} groups cannot fill {folds} folds")
        return GroupKFold(folds).split(examples.texts, examples.labels, groups)
    splitter = (KFold if multi_label else StratifiedKFold)(folds, shuffle=True, random_state=seed)
    return splitter.split(examples.texts, None if multi_label else examples.labels)


def run_record(config: Config, teachers: list[Config], folds: int, seed: int, group_by: Optional[str]) -> dict:
    """What a work folder's kept folds belong to: a resumed run must be the same run."""
    return {
        "config": config.to_yaml(),
        "teachers": [t.to_yaml() for t in teachers],
        "folds": folds,
        "seed": seed,
        "group_by": group_by,
        "data": data_provenance(config),
        "teacher_data": [data_provenance(t) for t in teachers],
    }


def fold_figures(
    row: dict, fold_scores: tuple, gold: np.ndarray, labels: list[str], report_gold: dict[str, Gold]
) -> dict:
    """A fold's row with every figure from its held-out probabilities (in one place for new folds
    and kept ones), against each report label column too."""
    row = {**row, **label_column_figures(gold, fold_scores, labels)}
    if report_gold:
        row["by_label_column"] = {
            column: column_figures(by_column, fold_scores, labels) for column, by_column in report_gold.items()
        }
    return row


def crossval_summary(
    rows: list[dict], scored: list[tuple], gold: np.ndarray, labels: list[str], report_gold: dict[str, Gold]
) -> dict[str, Any]:
    """The folds' figures averaged, and pooled over every held-out row; so against each report
    label column too, on the rows it labels."""
    found = {**fold_means(rows), "pooled": pooled_scores(gold, scored, labels)}
    if report_gold:
        found["by_label_column"] = {
            column: {
                **fold_means([r["by_label_column"][column] for r in rows]),
                "pooled": pooled_scores(by_column.labels, scored, labels, by_column.has),
            }
            for column, by_column in report_gold.items()
        }
    return found
