"""Cross-validation's recipes (crossval.py): a config made ready to train on any fold (its base
model, tokenizer, every labelled row tokenized, its mixed sources and intermediate stage with
their rows' group keys), the gold of each report label column, and a fold's training examples
and intermediate stage, less the held-out groups' rows where a run holds groups out."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Optional

import numpy as np
from transformers import AutoTokenizer

from framing.data import require_columns
from framing.errors import FramingError
from framing.hashing import sha256_text
from framing.training.base_model import resolve_base_model
from framing.training.config import Config
from framing.training.counterfactuals import counterfactuals
from framing.training.crossval_folds import group_key
from framing.training.crossval_report import Gold
from framing.training.examples import Examples, disagreeing, join_examples, labelled_parts, mixed_parts
from framing.training.hedges import hedge_copies
from framing.training.labels import UNLABELLED, dropped_cells, targets_of
from framing.training.training_data import intermediate_source


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
    intermediate, intermediate_groups = (
        (None, None)
        if stage is None
        else _mixed_rows(stage[0], stage[1], config.intermediate.group_column, np.ones(len(stage[0]), dtype=bool))
    )
    recipe = Recipe(
        config,
        base_path,
        tokenizer,
        join_examples(parts, config.data),
        intermediate,
        intermediate_groups=intermediate_groups,
        mixed=[
            _mixed_rows(examples, frame, source.group_column, k)
            for (examples, frame), source, k in zip(mixed, config.mixed, keep[len(parts) :])
        ],
    )
    groups = []
    for source, frame in kept if group_by else []:
        require_columns(frame, [group_by], source)
        groups += [group_key(value) for value in frame[group_by].fillna("").astype(str)]
    return recipe, groups, {column: column_gold(kept, column, config) for column in config.data.report_label_columns}


def _mixed_rows(
    examples: Examples, frame, group_column: Optional[str], keep: np.ndarray
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
        parts.append(
            counterfactuals(gold, recipe.config.counterfactuals, recipe.tokenizer, recipe.config.model.max_length)
        )
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
        marked = (
            ~dropped_cells(frame[column], [UNLABELLED, *data.drop_labels]).to_numpy()
            if column in frame.columns
            else np.zeros(len(frame), dtype=bool)
        )
        shape = (len(frame), len(data.label_names)) if data.multi_label else (len(frame),)
        targets = np.zeros(shape, dtype=np.int64)
        if marked.any():  # an unknown label fails here, naming its file, row and column
            targets[marked] = targets_of(
                frame[marked], column, data.labels, data.label_names, source, data.multi_label, data.label_separator
            )
        has.append(marked)
        labels.append(targets)
    if not any(marked.any() for marked in has):
        raise FramingError(f"data.report_label_columns: no labelled file has a label in column '{column}'")
    return Gold(np.concatenate(has), np.concatenate(labels))


def same_rows(teacher: Recipe, student: Recipe, number: int) -> Recipe:
    """A fold teacher must train on the student's rows: the same labelled rows, same order."""
    if teacher.examples.texts != student.examples.texts or not np.array_equal(
        teacher.examples.labels, student.examples.labels
    ):
        raise FramingError(
            f"teacher {number} ({teacher.config.name}): its data section gives other labelled rows "
            f"than the config's ({len(teacher.examples)} against {len(student.examples)}); a fold "
            f"teacher must read the same files, label column and dropped labels"
        )
    return teacher
