"""The labelled data of a technique head: texts and 0/1 columns, checked, rare labels folded.

A config names the 0/1 columns (or takes every column but the text and those it ignores). A
column that is missing, empty, constant or holds a value other than 0/1 is refused in one line
naming the file, the column and, for a bad value, the row. A label with fewer training positives
than `min_support` is folded into OTHER (any of the folded labels present), or left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from framing.data import require_columns, row_numbers, show_value, texts_of
from framing.errors import FramingError
from framing.techniques import OTHER
from framing.training.config import TechniqueConfig
from framing.training.examples import Examples
from framing.training.labels import load_table


@dataclass
class TechniqueData:
    labels: list[str]  # the head's outputs: the kept columns, then OTHER if any were folded
    folded: list[str]  # columns counted as OTHER (or left out, fold_rare false)
    train_texts: list[str]
    train_targets: np.ndarray  # [N, K] 0/1
    dev_texts: list[str]
    dev_targets: np.ndarray  # [M, K] 0/1
    train_support: dict[str, int]  # training positives of every column, folded ones included

    @property
    def texts(self) -> tuple[list[str], list[str]]:
        return self.train_texts, self.dev_texts


def technique_data(config: TechniqueConfig) -> TechniqueData:
    train = load_table(config.train)
    columns = config.columns or _label_columns(train, config)
    require_columns(train, [config.text_column, *columns], config.train)
    train_values = zero_one_columns(train, columns, config.train)
    _refuse_empty_or_constant(train_values, config.train)
    if config.dev:
        dev = load_table(config.dev)
        require_columns(dev, [config.text_column, *columns], config.dev)
        dev_values = zero_one_columns(dev, columns, config.dev)
    else:  # a fixed share of train, fixed seed
        held = np.random.default_rng(config.seed).random(len(train)) < config.dev_fraction
        dev, train = train[held], train[~held]
        dev_values, train_values = train_values[held], train_values[~held]
    support = {name: int(train_values[name].sum()) for name in columns}
    kept = [name for name in columns if support[name] >= config.min_support]
    folded = [name for name in columns if name not in kept]
    if not kept:
        raise FramingError(
            f"{config.train}: no technique column has {config.min_support} training positives (min_support); "
            f"most: {max(support, key=support.get)!r} with {max(support.values())}"
        )
    fold = config.fold_rare and folded
    return TechniqueData(
        labels=kept + ([OTHER] if fold else []),
        folded=folded,
        train_texts=texts_of(train, config.text_column, config.train),
        train_targets=head_targets(train_values, kept, folded if fold else []),
        dev_texts=texts_of(dev, config.text_column, config.dev or config.train),
        dev_targets=head_targets(dev_values, kept, folded if fold else []),
        train_support=support,
    )


def joint_examples(config: TechniqueConfig, tokenizer, max_length: int) -> Examples:
    """The technique training texts as rows of joint training (training/losses.py): their
    technique targets [N, K], a placeholder sentence label at weight 0 (they train no other head)."""
    data = technique_data(config)
    encoded = tokenizer(data.train_texts, truncation=True, max_length=max_length)
    return Examples(
        texts=data.train_texts,
        input_ids=encoded["input_ids"],
        labels=np.zeros(len(data.train_texts), dtype=int),
        weight=np.zeros(len(data.train_texts)),
        techniques=data.train_targets.astype(np.float32),
    )


def _label_columns(frame: pd.DataFrame, config: TechniqueConfig) -> list[str]:
    """Every column but the text and the ignored ones (then each must hold 0/1 only)."""
    columns = [c for c in frame.columns if c != config.text_column and c not in config.ignore_columns]
    if not columns:
        raise FramingError(f"{config.train}: no technique columns besides the text column {config.text_column!r}")
    return columns


def zero_one_columns(frame: pd.DataFrame, columns: list[str], source: str) -> pd.DataFrame:
    """The label columns as 0/1 integers; an empty cell counts as 0, any other value is refused."""
    values = {}
    for name in columns:
        cells = frame[name]
        numbers = pd.to_numeric(cells, errors="coerce")
        bad = ~(numbers.isin([0, 1]) | cells.isna())
        if bad.any():
            row = row_numbers(frame)[int(np.argmax(bad.to_numpy()))]
            value = show_value(cells[bad].iloc[0])
            raise FramingError(f"{source}: row {row}: technique column {name!r} holds {value}; expected 0 or 1")
        if cells.isna().all():
            raise FramingError(f"{source}: technique column {name!r} is empty")
        values[name] = numbers.fillna(0).astype(int).to_numpy()
    return pd.DataFrame(values, index=frame.index)


def _refuse_empty_or_constant(values: pd.DataFrame, source: str) -> None:
    for name in values.columns:
        if values[name].nunique() < 2:
            raise FramingError(
                f"{source}: technique column {name!r} is constant (every row {values[name].iloc[0]}): nothing to learn"
            )


def head_targets(values: pd.DataFrame, kept: list[str], folded: list[str]) -> np.ndarray:
    """[N, K] 0/1: the kept columns, then OTHER (any folded column set) when some are folded."""
    targets = values[kept].to_numpy(dtype=np.float32)
    if not folded:
        return targets
    other = values[folded].to_numpy().max(axis=1, keepdims=True).astype(np.float32)
    return np.concatenate([targets, other], axis=1)
