"""One fold of cross-validation (crossval.py): its fold teachers trained on the fold's training
rows and scoring the pool, the recipe trained on the other folds (from the end state of its
intermediate stage, trained once where it is the same for every fold) and scoring the held-out
rows, and the TF-IDF baseline on the same rows; each kept in the work folder as it finishes."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np
from sklearn.model_selection import train_test_split

from framing.checkpoint import CheckpointMeta
from framing.output import atomic_file
from framing.predictor import FramingClassifier
from framing.training.baseline import baseline_proba, tfidf_baseline
from framing.training.crossval_recipe import (
    Recipe,
    fold_dependent_stage,
    fold_intermediate,
    fold_training,
    fold_warm_file,
)
from framing.training.crossval_report import label_counts
from framing.training.crossval_work import _in, save_fold
from framing.training.dev_fit import fit_to_dev
from framing.training.examples import Examples, join_examples, with_teacher
from framing.training.resume import load_state
from framing.training.train import fit


def warm_state(recipe: Recipe, resume: bool, held_out: Optional[list[str]] = None) -> Optional[dict]:
    """The end state of the recipe's intermediate stage, trained the first time a fold needs it
    (after every check; never, when every fold is already kept). In a work folder its state is
    kept as it trains, so a resumed run continues it, or takes it finished (anno-lexical's
    33,814 sentences take about 25 minutes on 2 cores). Where the stage has groups and the run
    holds groups out, each fold trains its own, without the held-out groups' rows."""
    if recipe.intermediate is None:
        return None
    if fold_dependent_stage(recipe, held_out):
        return _after_intermediate(
            recipe, fold_intermediate(recipe, held_out), fold_warm_file(recipe, held_out), resume
        )
    if recipe.warm is None:
        recipe.warm = _after_intermediate(recipe, recipe.intermediate, recipe.warm_file, resume)
    return recipe.warm


def run_fold(
    number: int,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    student: Recipe,
    pool: Optional[Examples],
    teachers: list[Recipe],
    seed: int,
    held_out: Optional[list[str]],
    work: Optional[Path],
    resume: bool,
) -> tuple[dict, tuple]:
    """One fold: its teachers (if any) score the pool, the student trains on the other folds
    (and the pool) and scores the held-out rows, and so does the TF-IDF baseline; returns the
    fold's row (sizes and time: crossval adds the figures) and (held-out rows, model, baseline
    and each teacher's probabilities), kept in `work` if given."""
    started = time.perf_counter()
    examples, labels = student.examples, student.config.data.label_names
    if teachers:
        scores, test_scores = zip(
            *[
                teacher_scores(
                    t,
                    train_idx,
                    test_idx,
                    pool.texts,
                    seed,
                    resume,
                    _in(work, f"fold-{number}-teacher-{k}.npz"),
                    _in(work, f"fold-{number}-teacher-{k}.state.pt"),
                    held_out,
                )
                for k, t in enumerate(teachers, start=1)
            ]
        )
        pool = with_teacher(pool, np.mean(scores, axis=0))
    state = _in(work, f"fold-{number}-student.state.pt")
    proba = train_and_score(student, train_idx, test_idx, pool, seed, state, resume, held_out)
    baseline = tfidf_baseline(seed, student.config.data.multi_label).fit(
        [examples.texts[i] for i in train_idx], examples.labels[train_idx]
    )
    fold_scores = (
        test_idx,
        proba,
        baseline_proba(baseline, [examples.texts[i] for i in test_idx], len(labels)),
        list(test_scores) if teachers else [],
    )
    row = {
        "fold": number,
        "n_train": len(train_idx),
        "n_test": len(test_idx),
        **({"held_out_groups": held_out} if held_out is not None else {}),
        "test_label_counts": label_counts(examples.labels[test_idx], labels),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if work is not None:
        save_fold(work / f"fold-{number}.npz", row, fold_scores)
        state.unlink(missing_ok=True)
    return row, fold_scores


def fold_split(
    recipe: Recipe, train_idx: np.ndarray, seed: int, always: bool = False
) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """The training rows and, where the recipe picks its epoch on dev (or `always`, for a
    teacher's calibration), a stratified 10% of the training folds held out as its dev set."""
    multi_label = recipe.config.data.multi_label
    if not always and not (recipe.config.train.select == "best" and recipe.config.train.average_last == 1):
        return train_idx, None
    return tuple(
        train_test_split(
            train_idx,
            test_size=0.1,
            random_state=seed,
            stratify=None if multi_label else recipe.examples.labels[train_idx],
        )
    )


def fit_fold(
    recipe: Recipe,
    train: Examples,
    dev: Optional[Examples],
    state: Optional[Path],
    resume: bool,
    held_out: Optional[list[str]] = None,
):
    """Train the recipe on one fold's rows; with `state`, saving the training state there as it
    goes (and with `resume`, continuing from it)."""
    saved = (
        load_state(state, recipe.config)
        if resume and state is not None and state.is_file()
        else warm_state(recipe, resume, held_out)
    )
    model, _ = fit(
        recipe.config,
        train,
        dev,
        recipe.base_path,
        recipe.tokenizer,
        False,
        fold_intermediate(recipe, held_out),
        state_file=state,
        resume_from=saved,
    )
    if fold_dependent_stage(recipe, held_out) and fold_warm_file(recipe, held_out) is not None:
        fold_warm_file(recipe, held_out).unlink(missing_ok=True)  # this fold's own: no other fold starts from it
    return model


def train_and_score(
    recipe: Recipe,
    train_idx,
    test_idx,
    pool: Optional[Examples],
    seed: int,
    state: Optional[Path],
    resume: bool,
    held_out: Optional[list[str]] = None,
) -> np.ndarray:
    """The recipe trained on a fold's training rows (its mixed sources and the pool too), its
    probabilities on the held-out rows (uncalibrated, as every recipe is compared here)."""
    fit_idx, dev_idx = fold_split(recipe, train_idx, seed)
    train = fold_training(recipe, fit_idx, held_out)
    if pool is not None:
        train = join_examples([train, pool], recipe.config.data)
    dev = recipe.examples.subset(dev_idx) if dev_idx is not None else None
    model = fit_fold(recipe, train, dev, state, resume, held_out)
    return classifier_of(recipe, model).predict_proba([recipe.examples.texts[i] for i in test_idx])


def teacher_scores(
    teacher: Recipe,
    train_idx,
    test_idx,
    pool_texts: list[str],
    seed: int,
    resume: bool,
    scores: Optional[Path],
    state: Optional[Path],
    held_out: Optional[list[str]] = None,
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
    result = (
        classifier.predict_proba(pool_texts),
        classifier.predict_proba([teacher.examples.texts[i] for i in test_idx]),
    )
    if scores is not None:
        with atomic_file(scores) as staging, open(staging, "wb") as handle:
            np.savez(handle, pool=result[0], test=result[1])
        state.unlink(missing_ok=True)
    return result


def classifier_of(recipe: Recipe, model) -> FramingClassifier:
    data = recipe.config.data
    meta = CheckpointMeta(
        labels=data.label_names, max_length=recipe.config.model.max_length, multi_label=data.multi_label
    )
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
        fit(
            recipe.config,
            None,
            None,
            recipe.base_path,
            recipe.tokenizer,
            False,
            intermediate,
            state_file=state_file,
            resume_from=saved,
        )
        return load_state(state_file, recipe.config)
