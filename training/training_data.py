"""What a training run reads: the gold, mixed, counterfactual, hedged and teacher examples,
the dev split, the intermediate stage's data, and where each came from (for the model card)."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from framing.data import require_columns
from framing.training.config import Config
from framing.training.config_files import portable_path
from framing.training.counterfactuals import counterfactuals
from framing.training.examples import (
    Examples,
    build_examples,
    disagreeing,
    join_examples,
    labelled_parts,
    mixed_parts,
    sentence_source,
    teacher_examples,
)
from framing.training.hedges import hedge_copies
from framing.training.labels import fingerprint, load_table
from framing.training.technique_data import joint_examples


def split_strata(labels: np.ndarray) -> Optional[np.ndarray]:
    """What a held-out dev share is stratified by: the label; multi-label ([N, C] 0/1), each
    row's rarest label (C for none), so that rare labels reach the dev share too and it can
    calibrate them. None (a plain random split) where a stratum has a single row."""
    if labels.ndim == 2:
        rarity = labels.sum(axis=0).astype(float)  # [C] positives per label
        ranked = np.where(labels > 0, rarity, np.inf)  # [N, C]
        labels = np.where(labels.any(axis=1), ranked.argmin(axis=1), labels.shape[1])  # [N]
    return labels if np.unique(labels, return_counts=True)[1].min() >= 2 else None


def load_examples(config: Config, tokenizer) -> tuple[Examples, Examples]:
    data_config = config.data
    parts, _ = labelled_parts(data_config, tokenizer, config.model.max_length)
    gold = len(parts)
    parts += [examples for examples, _ in mixed_parts(config, tokenizer)]
    parts = [
        part.subset(np.flatnonzero(keep)) for part, keep in zip(parts, disagreeing(parts, data_config.on_disagreement))
    ]
    if config.counterfactuals:
        parts.append(
            counterfactuals(
                join_examples(parts[:gold], data_config), config.counterfactuals, tokenizer, config.model.max_length
            )
        )
    if config.hedges:
        parts.append(
            hedge_copies(join_examples(parts[:gold], data_config), config.hedges, tokenizer, config.model.max_length)
        )
    if config.distill:
        parts.append(teacher_examples(config.distill, data_config.label_names, tokenizer, config.model.max_length))
    train = join_examples(parts, data_config)
    if data_config.dev:
        dev = build_examples(
            load_table(data_config.dev, "validation"), data_config.dev, data_config, tokenizer, config.model.max_length
        )
    else:  # no dev split: hold out a stratified share of train with a fixed seed
        train_idx, dev_idx = train_test_split(
            np.arange(len(train)),
            test_size=data_config.dev_fraction,
            random_state=config.train.seed,
            stratify=split_strata(train.labels),
        )
        train, dev = train.subset(sorted(train_idx)), train.subset(sorted(dev_idx))
    if config.trains_techniques_jointly:  # train rows only: they have no sentence label
        joint = joint_examples(config.techniques, tokenizer, config.model.max_length)
        train = join_examples([train, joint], data_config)
    return train, dev


def load_intermediate(config: Config, tokenizer) -> Optional[Examples]:
    """The intermediate stage's examples: sentence labels only, optionally a class-balanced sample."""
    source = intermediate_source(config, tokenizer)
    return None if source is None else source[0]


def intermediate_source(config: Config, tokenizer) -> Optional[tuple[Examples, pd.DataFrame]]:
    """The intermediate stage's examples and its kept rows (None without a stage)."""
    stage = config.intermediate
    if stage is None:
        return None
    examples, frame = sentence_source(
        stage.data,
        stage.text_column,
        stage.label_column,
        stage.labels,
        stage.max_examples,
        config.data,
        tokenizer,
        config.model.max_length,
        config.train.seed,
    )
    if stage.group_column:
        require_columns(frame, [stage.group_column], stage.data)
    return examples, frame


def data_provenance(config: Config) -> list[dict]:
    """Where each split came from, with a sha256 of local files, for the model card."""
    sources = [
        ("train", config.data.train),
        *[("extra train", extra) for extra in config.data.extra_train],
        *[("mixed", source.data) for source in config.mixed],
        ("dev", config.data.dev),
    ]
    if config.counterfactuals:
        sources.append(("counterfactual terms", config.counterfactuals.terms))
    if config.distill:
        sources += [("distillation scores", scores) for scores in config.distill.scores]
    if config.trains_techniques_jointly:
        sources.append(("techniques, trained jointly", config.techniques.train))
    if config.intermediate:
        sources.insert(0, ("intermediate", config.intermediate.data))
    # the source as the config wrote it (from the data root): a checkpoint's record reads anywhere
    return [
        {"split": split, "source": portable_path(source), "sha256": fingerprint(source)}
        for split, source in sources
        if source
    ]
