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

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, train_test_split
from transformers import AutoTokenizer

from framing.checkpoint import CheckpointMeta
from framing.data import require_columns
from framing.errors import FramingError
from framing.hashing import sha256_text
from framing.output import atomic_file
from framing.predictor import FramingClassifier
from framing.training.base_model import resolve_base_model
from framing.training.baseline import baseline_proba, tfidf_baseline
from framing.training.config import Config
from framing.training.counterfactuals import counterfactuals
from framing.training.crossval_folds import check_folds, group_key
from framing.training.crossval_report import (
    Gold,
    column_figures,
    fold_means,
    label_column_figures,
    label_counts,
    pooled_scores,
)
from framing.training.crossval_work import _in, claim_work, load_fold, save_fold
from framing.training.dev_fit import fit_to_dev
from framing.training.examples import (
    Examples,
    disagreeing,
    join_examples,
    labelled_parts,
    mixed_parts,
    pool_examples,
    teacher_examples,
    with_teacher,
)
from framing.training.hedges import hedge_copies
from framing.training.labels import UNLABELLED, dropped_cells, targets_of
from framing.training.resume import load_state
from framing.training.train import fit
from framing.training.training_data import data_provenance, intermediate_source

# The figures crossval gives, with their printed names: each scorer's, each metric.


@dataclasses.dataclass
class Recipe:
    """One config ready to train on any fold: its base model, tokenizer, every labelled row
    tokenized its way (the same rows in the same order for every recipe of a run) and the end
    state of its intermediate stage."""
    config: Config
    base_path: str
    tokenizer: Any
    examples: Examples
    intermediate: Optional[Examples]
    warm: Optional[dict] = None  # the end state of the intermediate stage, where it is the same for every fold
    warm_file: Optional[Path] = None  # where the intermediate stage keeps its state (a work folder's)
    intermediate_groups: Optional[list[str]] = None  # its rows' group keys (None without a group column)
    # each `mixed` source's examples and its rows' group keys (None without a group column)
    mixed: list[tuple[Examples, Optional[list[str]]]] = dataclasses.field(default_factory=list)


def prepare(config: Config, group_by: Optional[str] = None) -> tuple[Recipe, list[str], dict[str, Gold]]:
    """The recipe, each row's group (with `group_by`) and the gold of each report label column."""
    base_path = resolve_base_model(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    parts, kept = labelled_parts(config.data, tokenizer, config.model.max_length, with_dev=True)
    mixed = mixed_parts(config, tokenizer)
    keep = disagreeing(parts + [examples for examples, _ in mixed], config.data.on_disagreement)
    parts = [part.subset(np.flatnonzero(k)) for part, k in zip(parts, keep)]
    kept = [(source, frame[k]) for (source, frame), k in zip(kept, keep)]
    stage = intermediate_source(config, tokenizer)
    intermediate, intermediate_groups = (None, None) if stage is None else _mixed_rows(
        stage[0], stage[1], config.intermediate.group_column, np.ones(len(stage[0]), dtype=bool))
    recipe = Recipe(config, base_path, tokenizer, join_examples(parts, config.data), intermediate,
                    intermediate_groups=intermediate_groups,
                    mixed=[_mixed_rows(examples, frame, source.group_column, k)
                           for (examples, frame), source, k in zip(mixed, config.mixed, keep[len(parts):])])
    groups = []
    for source, frame in kept if group_by else []:
        require_columns(frame, [group_by], source)
        groups += [group_key(value) for value in frame[group_by].fillna("").astype(str)]
    return recipe, groups, {column: column_gold(kept, column, config) for column in config.data.report_label_columns}


def _mixed_rows(examples: Examples, frame, group_column: Optional[str], keep: np.ndarray
                ) -> tuple[Examples, Optional[list[str]]]:
    groups = [group_key(v) for v in frame[group_column].fillna("").astype(str)] if group_column else None
    rows = np.flatnonzero(keep)
    return examples.subset(rows), None if groups is None else [groups[i] for i in rows]


def fold_training(recipe: Recipe, rows: np.ndarray, held_out: Optional[list[str]]) -> Examples:
    """A fold's training examples: the recipe's labelled `rows`, every mixed source less its rows
    of the held-out groups (leave-group-out runs), and the counterfactuals and hedged copies of
    `rows` alone."""
    gold = recipe.examples.subset(rows)
    parts = [gold] + [_without(examples, groups, held_out) for examples, groups in recipe.mixed]
    if recipe.config.counterfactuals:
        parts.append(counterfactuals(gold, recipe.config.counterfactuals, recipe.tokenizer,
                                     recipe.config.model.max_length))
    if recipe.config.hedges:
        parts.append(hedge_copies(gold, recipe.config.hedges, recipe.tokenizer, recipe.config.model.max_length))
    return join_examples(parts, recipe.config.data) if len(parts) > 1 else parts[0]


def _without(examples: Examples, groups: Optional[list[str]], held_out: Optional[list[str]]) -> Examples:
    """`examples` less its rows of the held-out groups (all of them without group keys)."""
    out = set(held_out or [])
    return examples.subset([i for i in range(len(examples)) if groups is None or groups[i] not in out])


def fold_dependent_stage(recipe: Recipe, held_out: Optional[list[str]]) -> bool:
    """Whether the intermediate stage differs per fold: it has groups and some are held out."""
    return recipe.intermediate is not None and recipe.intermediate_groups is not None and held_out is not None


def fold_intermediate(recipe: Recipe, held_out: Optional[list[str]]) -> Optional[Examples]:
    """The intermediate stage's examples for a fold: less the held-out groups' rows where it has groups."""
    if not fold_dependent_stage(recipe, held_out):
        return recipe.intermediate
    return _without(recipe.intermediate, recipe.intermediate_groups, held_out)


def fold_warm_file(recipe: Recipe, held_out: Optional[list[str]]) -> Optional[Path]:
    """Where a fold's own intermediate stage keeps its state: named by the held-out groups, so a
    resumed run finds it whatever the fold's number."""
    if recipe.warm_file is None or not fold_dependent_stage(recipe, held_out):
        return recipe.warm_file
    digest = sha256_text("\n".join(held_out))[:12]
    return recipe.warm_file.with_name(f"{recipe.warm_file.name.removesuffix('.state.pt')}-without-{digest}.state.pt")


def column_gold(kept: list[tuple[str, Any]], column: str, config: Config) -> Gold:
    """`column`'s labels of the run's rows; a file without the column (BABE's extra file has
    reviewed labels only), an empty cell or a dropped label leaves a row out of its figures."""
    data = config.data
    has, labels = [], []
    for source, frame in kept:
        marked = (~dropped_cells(frame[column], [UNLABELLED, *data.drop_labels]).to_numpy() if column in frame.columns
                  else np.zeros(len(frame), dtype=bool))
        shape = (len(frame), len(data.label_names)) if data.multi_label else (len(frame),)
        targets = np.zeros(shape, dtype=np.int64)
        if marked.any():  # an unknown label fails here, naming its file, row and column
            targets[marked] = targets_of(frame[marked], column, data.labels, data.label_names, source,
                                         data.multi_label, data.label_separator)
        has.append(marked)
        labels.append(targets)
    if not any(marked.any() for marked in has):
        raise FramingError(f"data.report_label_columns: no labelled file has a label in column '{column}'")
    return Gold(np.concatenate(has), np.concatenate(labels))


def warm_state(recipe: Recipe, resume: bool, held_out: Optional[list[str]] = None) -> Optional[dict]:
    """The end state of the recipe's intermediate stage, trained the first time a fold needs it
    (after every check; never, when every fold is already kept). In a work folder its state is
    kept as it trains, so a resumed run continues it, or takes it finished (anno-lexical's
    33,814 sentences take about 25 minutes on 2 cores). Where the stage has groups and the run
    holds groups out, each fold trains its own, without the held-out groups' rows."""
    if recipe.intermediate is None:
        return None
    if fold_dependent_stage(recipe, held_out):
        return _after_intermediate(recipe, fold_intermediate(recipe, held_out), fold_warm_file(recipe, held_out),
                                   resume)
    if recipe.warm is None:
        recipe.warm = _after_intermediate(recipe, recipe.intermediate, recipe.warm_file, resume)
    return recipe.warm


def crossval(config: Config, folds: int = 5, seed: int = 0, only: Optional[list[int]] = None,
             report: Callable[[dict], None] = lambda row: None, group_by: Optional[str] = None,
             teachers: Optional[list[Config]] = None, work: Optional[Path] = None,
             resume: bool = False) -> dict[str, Any]:
    data_config, labels = config.data, config.data.label_names
    if teachers and not config.distill:
        raise FramingError("teachers: the config has no distill section, so there is no pool for fold teachers "
                           "to score")
    if work is not None:
        claim_work(work, {"config": config.to_yaml(), "teachers": [t.to_yaml() for t in teachers or []],
                          "folds": folds, "seed": seed, "group_by": group_by, "data": data_provenance(config),
                          "teacher_data": [data_provenance(t) for t in teachers or []]}, resume)
    student, groups, report_gold = prepare(config, group_by)
    examples = student.examples
    check_folds(examples.labels, labels, folds, data_config.multi_label)  # before any training
    pool = None
    if config.distill and teachers:  # only the pool's texts: each fold's teachers score them
        pool = pool_examples(config.distill, student.tokenizer, config.model.max_length)
    elif config.distill:
        pool = teacher_examples(config.distill, labels, student.tokenizer, config.model.max_length)
    fold_teachers = [same_rows(prepare(teacher)[0], student, number) for number, teacher in
                     enumerate(teachers or [], start=1)]
    student.warm_file = _in(work, "intermediate.state.pt")
    for number, teacher in enumerate(fold_teachers, start=1):
        teacher.warm_file = _in(work, f"teacher-{number}-intermediate.state.pt")
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
        done = work / f"fold-{number}.npz" if work else None
        if done is not None and resume and done.is_file():
            row, fold_scores = load_fold(done)
        else:
            held_out = sorted(set(groups[i] for i in test_idx)) if group_by else None
            row, fold_scores = run_fold(number, train_idx, test_idx, student, pool, fold_teachers, seed, held_out,
                                        work, resume)
        # every figure from the held-out probabilities, in one place for new folds and kept ones
        row = {**row, **label_column_figures(examples.labels, fold_scores, labels)}
        if report_gold:
            row["by_label_column"] = {column: column_figures(gold, fold_scores, labels)
                                      for column, gold in report_gold.items()}
        rows.append(row)
        scored.append(fold_scores)
        report(row)
    summary = {**fold_means(rows), "pooled": pooled_scores(examples.labels, scored, labels)}
    if report_gold:
        summary["by_label_column"] = {
            column: {**fold_means([r["by_label_column"][column] for r in rows]),
                     "pooled": pooled_scores(gold.labels, scored, labels, gold.has)}
            for column, gold in report_gold.items()}
    return {"folds": rows, "summary": summary}


def run_fold(number: int, train_idx: np.ndarray, test_idx: np.ndarray, student: Recipe, pool: Optional[Examples],
             teachers: list[Recipe], seed: int, held_out: Optional[list[str]], work: Optional[Path],
             resume: bool) -> tuple[dict, tuple]:
    """One fold: its teachers (if any) score the pool, the student trains on the other folds
    (and the pool) and scores the held-out rows, and so does the TF-IDF baseline; returns the
    fold's row (sizes and time: crossval adds the figures) and (held-out rows, model, baseline
    and each teacher's probabilities), kept in `work` if given."""
    started = time.perf_counter()
    examples, labels = student.examples, student.config.data.label_names
    if teachers:
        scores, test_scores = zip(*[teacher_scores(t, train_idx, test_idx, pool.texts, seed, resume,
                                                   _in(work, f"fold-{number}-teacher-{k}.npz"),
                                                   _in(work, f"fold-{number}-teacher-{k}.state.pt"), held_out)
                                    for k, t in enumerate(teachers, start=1)])
        pool = with_teacher(pool, np.mean(scores, axis=0))
    state = _in(work, f"fold-{number}-student.state.pt")
    proba = train_and_score(student, train_idx, test_idx, pool, seed, state, resume, held_out)
    baseline = tfidf_baseline(seed, student.config.data.multi_label).fit([examples.texts[i] for i in train_idx],
                                                                         examples.labels[train_idx])
    fold_scores = (test_idx, proba, baseline_proba(baseline, [examples.texts[i] for i in test_idx], len(labels)),
                   list(test_scores) if teachers else [])
    row = {
        "fold": number, "n_train": len(train_idx), "n_test": len(test_idx),
        **({"held_out_groups": held_out} if held_out is not None else {}),
        "test_label_counts": label_counts(examples.labels[test_idx], labels),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if work is not None:
        save_fold(work / f"fold-{number}.npz", row, fold_scores)
        state.unlink(missing_ok=True)
    return row, fold_scores


def same_rows(teacher: Recipe, student: Recipe, number: int) -> Recipe:
    """A fold teacher must train on the student's rows: the same labelled rows, same order."""
    if teacher.examples.texts != student.examples.texts or not np.array_equal(teacher.examples.labels,
                                                                              student.examples.labels):
        raise FramingError(f"teacher {number} ({teacher.config.name}): its data section gives other labelled rows "
                           f"than the config's ({len(teacher.examples)} against {len(student.examples)}); a fold "
                           f"teacher must read the same files, label column and dropped labels")
    return teacher


def fold_split(recipe: Recipe, train_idx: np.ndarray, seed: int, always: bool = False
               ) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """The training rows and, where the recipe picks its epoch on dev (or `always`, for a
    teacher's calibration), a stratified 10% of the training folds held out as its dev set."""
    multi_label = recipe.config.data.multi_label
    if not always and not (recipe.config.train.select == "best" and recipe.config.train.average_last == 1):
        return train_idx, None
    return tuple(train_test_split(train_idx, test_size=0.1, random_state=seed,
                                  stratify=None if multi_label else recipe.examples.labels[train_idx]))


def fit_fold(recipe: Recipe, train: Examples, dev: Optional[Examples], state: Optional[Path], resume: bool,
             held_out: Optional[list[str]] = None):
    """Train the recipe on one fold's rows; with `state`, saving the training state there as it
    goes (and with `resume`, continuing from it)."""
    saved = (load_state(state, recipe.config) if resume and state is not None and state.is_file()
             else warm_state(recipe, resume, held_out))
    model, _ = fit(recipe.config, train, dev, recipe.base_path, recipe.tokenizer, False,
                   fold_intermediate(recipe, held_out), state_file=state, resume_from=saved)
    if fold_dependent_stage(recipe, held_out) and fold_warm_file(recipe, held_out) is not None:
        fold_warm_file(recipe, held_out).unlink(missing_ok=True)  # this fold's own: no other fold starts from it
    return model


def train_and_score(recipe: Recipe, train_idx, test_idx, pool: Optional[Examples], seed: int,
                    state: Optional[Path], resume: bool, held_out: Optional[list[str]] = None) -> np.ndarray:
    """The recipe trained on a fold's training rows (its mixed sources and the pool too), its
    probabilities on the held-out rows (uncalibrated, as every recipe is compared here)."""
    fit_idx, dev_idx = fold_split(recipe, train_idx, seed)
    train = fold_training(recipe, fit_idx, held_out)
    if pool is not None:
        train = join_examples([train, pool], recipe.config.data)
    dev = recipe.examples.subset(dev_idx) if dev_idx is not None else None
    model = fit_fold(recipe, train, dev, state, resume, held_out)
    return classifier_of(recipe, model).predict_proba([recipe.examples.texts[i] for i in test_idx])


def teacher_scores(teacher: Recipe, train_idx, test_idx, pool_texts: list[str], seed: int, resume: bool,
                   scores: Optional[Path], state: Optional[Path], held_out: Optional[list[str]] = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """One fold teacher: trained on 90% of the fold's training rows, calibrated on the other
    10% (as a shipped teacher is calibrated on dev before it scores the pool); its calibrated
    probabilities on the pool's texts [P, C] and on the held-out rows [N, C], kept in `scores`."""
    if scores is not None and resume and scores.is_file():
        with np.load(scores) as saved:
            return saved["pool"], saved["test"]
    fit_idx, dev_idx = fold_split(teacher, train_idx, seed, always=True)
    dev = teacher.examples.subset(dev_idx)  # picks the epoch too, where the teacher's recipe does
    model = fit_fold(teacher, fold_training(teacher, fit_idx, held_out), dev, state, resume, held_out)
    classifier = classifier_of(teacher, model)
    fit_to_dev(classifier, dev, teacher.config.train.calibration_bias)
    result = (classifier.predict_proba(pool_texts),
              classifier.predict_proba([teacher.examples.texts[i] for i in test_idx]))
    if scores is not None:
        with atomic_file(scores) as staging, open(staging, "wb") as handle:
            np.savez(handle, pool=result[0], test=result[1])
        state.unlink(missing_ok=True)
    return result


def classifier_of(recipe: Recipe, model) -> FramingClassifier:
    data = recipe.config.data
    meta = CheckpointMeta(labels=data.label_names, max_length=recipe.config.model.max_length,
                          multi_label=data.multi_label)
    return FramingClassifier.from_model(model, recipe.tokenizer, meta)


def _after_intermediate(recipe: Recipe, intermediate: Examples, warm_file: Optional[Path], resume: bool) -> dict:
    """The end state of the intermediate stage on `intermediate`. Without held-out groups in it,
    the stage does not depend on the fold (same data, seed and initial weights), so it runs
    once; every fold resumes from its end state, which gives the same weights as running it
    again per fold, in a fraction of the time."""
    with tempfile.TemporaryDirectory(prefix="framing-crossval-") as scratch:
        state_file = warm_file or Path(scratch) / "state.pt"
        saved = load_state(state_file, recipe.config) if resume and state_file.is_file() else None
        # a finished stage is not run again: fit only restores it
        fit(recipe.config, None, None, recipe.base_path, recipe.tokenizer, False, intermediate,
            state_file=state_file, resume_from=saved)
        return load_state(state_file, recipe.config)

