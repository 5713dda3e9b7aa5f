"""Typed training configuration, loaded from YAML.

A config file holds only what differs from the defaults below, or, with `extends: other.yaml`,
from another config file; data paths may start from the data root, `${FRAMING_DATA}`
(training/config_files.py reads the files). Unknown keys and bad values fail at load time with
the dotted key's name, and so do command-line overrides (`--set train.lr=3e-5`), which are
parsed as YAML scalars and validated the same way. Relative paths are taken from the current
working directory, as in run_glue.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Callable, Optional, Union, get_args, get_origin

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from framing.errors import FramingError, describe_invalid
from framing.training.config_files import apply_override, expand_data_root, portable_path, read_config_file

DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def _expanded(path: str) -> str:
    try:
        return expand_data_root(path)
    except ValueError as error:  # as pydantic's own error, so that the message names the key and value
        raise PydanticCustomError("data_root", "{problem}", {"problem": str(error)}) from None


# A data file's path (or hub id): `${FRAMING_DATA}` in it is expanded when the config is read,
# and written back from the data root (a checkpoint's training_config.yaml reads on any machine).
DataPath = Annotated[str, AfterValidator(_expanded), PlainSerializer(portable_path, when_used="json")]


class _Section(BaseModel):
    # extra="forbid" turns a typo'd key into an error naming it.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DatasetFacts(_Section):
    """What the model card says about a dataset: stated in the config, never guessed from a path."""

    name: Optional[str] = None  # e.g. "BABE (Bias Annotations By Experts, SG2)"
    hub_id: Optional[str] = None  # the card's `datasets:` entry, e.g. mediabiasgroup/BABE
    license: Optional[str] = None  # e.g. agpl-3.0: weights derived from the data follow it
    # The licence in words, with every source's terms and what they mean for users of the model
    # (the model card's "Licences" section), e.g. when a label set and the texts differ.
    license_terms: Optional[str] = None
    domain: Optional[str] = None  # what the texts are, e.g. "sentences from US news outlets, 2017-2020"
    description: Optional[str] = None  # how it was made and labelled, one paragraph
    citation: Optional[str] = None  # BibTeX


class DataConfig(_Section):
    train: DataPath = Field(description="local CSV/TSV/JSONL/Parquet/TXT file, or a Hugging Face dataset id")
    dev: Optional[DataPath] = Field(None, description="file or dataset id; for a hub id, a split name after ':'")
    # More labelled files of the same task, appended to `train` (e.g. BABE's reviewed extra
    # sentences). Each needs the text and label columns; a supervision column it lacks (words,
    # aux labels, votes) just does not train that head on its rows.
    extra_train: list[DataPath] = Field(default_factory=list)
    # Without `dev`, this share of `train` (stratified, fixed seed) becomes the dev split.
    dev_fraction: float = Field(0.1, gt=0.0, lt=1.0)
    text_column: str = "text"
    label_column: str = "label"
    # raw label value -> label name; the order of first appearance of each name fixes the ids.
    labels: dict[str, str] = Field(min_length=2)
    # Other label columns of the dev data (same label values) whose metrics training also reports,
    # e.g. BABE's original labels beside the reviewed ones; rows with an empty cell are left out.
    report_label_columns: list[str] = Field(default_factory=list)
    # A dev column naming each row's group (BABE: `type`, the outlet's leaning): the model card
    # reports the dev metrics within each group and the gaps between them (users test such
    # tools for a left/right asymmetry).
    group_column: Optional[str] = None
    # Raw label values whose rows are left out (in training and in evaluation), e.g. "No agreement";
    # "" leaves out rows whose label cell is empty.
    drop_labels: list[str] = Field(default_factory=list)
    # Where one sentence (case, quote style and spacing aside) has different labels in two sources (train,
    # then each extra_train file, then each `mixed` source, in that order): "keep" trains on
    # both, "first" keeps the label of the source listed first (gold before machine labels),
    # "drop" leaves out every row of that sentence.
    on_disagreement: str = Field("keep", pattern="^(keep|first|drop)$")
    # Multi-label: each row has any number of labels (sigmoid outputs, one threshold per label
    # tuned on dev). The label column holds a list, or raw labels joined by label_separator;
    # an empty value means none of the labels.
    multi_label: bool = False
    label_separator: str = Field("|", min_length=1)
    # Optional auxiliary supervision (multi-task): a column of word lists marking the words
    # that carry the judgement, and a second label column predicted by an auxiliary head.
    words_column: Optional[str] = None
    aux_label_column: Optional[str] = None
    aux_labels: dict[str, str] = Field(default_factory=dict)
    # Soft sentence targets from annotator votes: share = votes_column / annotators_column.
    votes_column: Optional[str] = None
    annotators_column: Optional[str] = None
    votes_for: Optional[str] = Field(None, description="the label name the votes are for")
    about: DatasetFacts = DatasetFacts()  # for the model card

    @model_validator(mode="after")
    def _check_pairs(self) -> "DataConfig":
        if len(self.label_names) < 2:
            raise ValueError(
                f"labels map every raw label to {self.label_names}: a classifier needs at least two label names"
            )
        if self.aux_labels and len(self.aux_label_names) < 2:
            raise ValueError(f"aux_labels map every raw label to {self.aux_label_names}: need at least two names")
        if bool(self.aux_label_column) != bool(self.aux_labels):
            raise ValueError("aux_label_column and aux_labels must be given together")
        if not (bool(self.votes_column) == bool(self.annotators_column) == bool(self.votes_for)):
            raise ValueError("votes_column, annotators_column and votes_for must be given together")
        if self.votes_for and self.votes_for not in self.label_names:
            raise ValueError(f"votes_for {self.votes_for!r} is not a label name ({self.label_names})")
        if self.votes_column and len(self.label_names) != 2:
            raise ValueError("votes_column (soft labels) needs exactly two label names")
        if self.votes_column and self.multi_label:
            raise ValueError("votes_column (soft labels) is for single-label data, not multi_label")
        if self.group_column and self.multi_label:
            raise ValueError("group_column (metrics per group) is for single-label data, not multi_label")
        return self

    @property
    def label_names(self) -> list[str]:
        return list(dict.fromkeys(self.labels.values()))

    @property
    def aux_label_names(self) -> list[str]:
        return list(dict.fromkeys(self.aux_labels.values()))


class ModelConfig(_Section):
    base: str = DEFAULT_BASE_MODEL
    max_length: int = Field(128, ge=8, le=512)
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    # A shallower student: only these encoder layers of the base (0-based, in order), e.g.
    # [1, 3, 5] of MiniLM-L6 for a 3-layer model about twice as fast (DistilBERT's alternate-layer
    # initialisation); None keeps them all. The checkpoint is a plain model of that depth.
    keep_layers: Optional[list[int]] = Field(None, min_length=1)

    @model_validator(mode="after")
    def _layers_in_order(self) -> "ModelConfig":
        layers = self.keep_layers or []
        if any(b <= a for a, b in zip(layers, layers[1:])) or any(i < 0 for i in layers):
            raise ValueError(f"model.keep_layers {layers}: expected distinct layer numbers from 0, in increasing order")
        return self


class TrainConfig(_Section):
    seed: int = 42
    epochs: int = Field(4, ge=1)
    batch_size: int = Field(16, ge=1)
    lr: float = Field(5e-5, gt=0.0)
    # Learning rate of the new, randomly initialised heads, relative to lr.
    head_lr_multiplier: float = Field(1.0, gt=0.0)
    # Layer-wise lr decay: layer l of L gets lr * layer_decay ** (L - l); 1.0 turns it off.
    layer_decay: float = Field(1.0, gt=0.0, le=1.0)
    weight_decay: float = Field(0.01, ge=0.0)
    warmup_ratio: float = Field(0.1, ge=0.0, lt=1.0)
    max_grad_norm: float = Field(1.0, gt=0.0)
    # "balanced" weighs each class's loss by n / (classes * count): for imbalanced labels
    # (multi-label: each label's positives by negatives / positives).
    class_weights: Optional[str] = Field(None, pattern="^balanced$")
    # Weight of the soft (annotator-vote) target against the majority label, 0..1.
    soft_label_weight: float = Field(0.0, ge=0.0, le=1.0)
    word_loss_weight: float = Field(0.0, ge=0.0)
    aux_loss_weight: float = Field(0.0, ge=0.0)
    # Calibration fitted on dev after training: a temperature, and with this a bias per label
    # too. The bias corrects the prior shift that soft targets (votes, a teacher) from another
    # label column leave: for the shipped model on BABE's reviewed labels, 2-fold cross-fitted
    # dev ECE 0.046 against 0.066 with the temperature alone (benchmarks/calibration.py); a model
    # without that shift loses little (0.042 against 0.037). It can move the decision boundary,
    # so labels near it may change; false keeps the temperature only.
    calibration_bias: bool = True
    # "best": keep the epoch with the best dev macro-F1; "last": the final epoch.
    select: str = Field("best", pattern="^(best|last)$")
    # Average the weights of the last N epochs (1 = no averaging).
    average_last: int = Field(1, ge=1)
    threads: Optional[int] = Field(None, ge=1)
    # Where the optimiser runs: "auto" takes a CUDA GPU when torch sees one, else the CPU. Dev
    # scoring, calibration and the checkpoint are made on the CPU, and a saved state loads on
    # either. A GPU's kernels are not bit-reproducible, so there a resumed run (and any rerun)
    # matches only to training noise.
    device: str = Field("auto", pattern="^(auto|cpu|cuda(:[0-9]+)?)$")
    # Save the full training state every N optimiser steps (and after every epoch) so that
    # `framing train --resume` continues an interrupted run; 0 saves after epochs only.
    save_state_every: int = Field(50, ge=0)


class LabelledSource(_Section):
    """Labelled data of a source other than `data`, read by its own columns and label mapping
    (to the main label names): what an intermediate stage and a mixed source share."""

    data: DataPath
    text_column: str = "text"
    label_column: str = "label"
    labels: dict[str, str] = Field(min_length=2)
    # A class-balanced sample of at most this many rows (fixed seed); None uses all rows.
    max_examples: Optional[int] = Field(None, ge=2)
    # A column naming each row's group (anno-lexical: `outlet`): cross-validation that holds out
    # groups (--group-by) leaves the held-out groups' rows of this source out of that fold too
    # (an intermediate stage is trained once per fold for it).
    group_column: Optional[str] = None
    about: DatasetFacts = DatasetFacts()  # for the model card


class IntermediateConfig(LabelledSource):
    """An earlier fine-tuning stage on related data (e.g. Wikipedia NPOV statements) before
    the main data; it trains the sentence head only, with labels mapped to the main names."""

    epochs: int = Field(1, ge=1)
    lr: Optional[float] = Field(None, gt=0.0, description="default: train.lr")


class MixedData(LabelledSource):
    """Labelled data of another source mixed into the main stage at its own loss weight (e.g.
    anno-lexical's machine labels): trained on beside the gold rows, never evaluated on, so
    cross-validation adds it to every fold's training rows. Sentence labels only."""

    weight: float = Field(1.0, gt=0.0)  # a row's loss weight relative to a gold row's


class CounterfactualConfig(_Section):
    """Group-term counterfactuals of the gold training rows (training/counterfactuals.py): each
    sentence naming a group of a swap set is trained on again with another group of that set,
    same label; cross-validation makes them from each fold's training rows only."""

    # A table with columns `set` and `term`: the terms of one set replace each other, e.g. the
    # behaviour suite's seen groups (`python benchmarks/behaviour.py --write-group-terms FILE`).
    terms: DataPath
    weight: float = Field(1.0, gt=0.0)  # a copy's loss weight relative to a gold row's


class HedgeConfig(_Section):
    """Reporting-hedge copies of the gold training rows (training/hedges.py): each sentence is
    trained on again with one hedge inserted ("allegedly", "according to officials"), same label
    and marked words, so that attributing a claim never reads as loaded language by itself."""

    weight: float = Field(0.5, gt=0.0)  # a copy's loss weight relative to a gold row's


class DistillConfig(_Section):
    """Knowledge distillation: unlabelled sentences with a teacher's probabilities, learned
    beside the gold labels in the main stage (pool rows train the sentence head only)."""

    # Scores of the pool by teacher checkpoints, each from `framing predict --input pool.parquet
    # --keep-columns text --output scores.parquet`: a text column and one `scores.<label>` column
    # per label. Several files (the same texts in the same order) are averaged: an ensemble teacher.
    scores: list[DataPath] = Field(min_length=1)
    text_column: str = "text"
    # Only the first N rows (a pool written by `framing pool` is balanced in every prefix).
    max_examples: Optional[int] = Field(None, ge=1)
    # Softening of teacher and student distributions in the KL term (Hinton et al. 2015); the
    # term is scaled by temperature**2 so its gradients keep their size.
    temperature: float = Field(1.0, gt=0.0)
    # A pool sentence's loss weight relative to a labelled sentence's.
    weight: float = Field(1.0, gt=0.0)
    # Each main-stage epoch takes the next 1/epochs share of the pool, while every labelled row
    # comes every epoch: a large pool is seen once and the gold rows as often as without one.
    spread_over_epochs: bool = False
    teacher: Optional[str] = Field(None, description="what the teacher is, for the model card")
    about: DatasetFacts = DatasetFacts()  # the pool, for the model card


class TechniqueConfig(_Section):
    """A multi-label technique head (framing.model.TechniqueBranch): any set of 0/1 columns, e.g.
    the persuasion techniques of SemEval-2023 Task 3, trained on the checkpoint's frozen shared
    layers (training/technique_head.py), so that the other outputs stay as they were."""

    train: DataPath
    dev: Optional[DataPath] = Field(None, description="without it, dev_fraction of train (fixed seed)")
    dev_fraction: float = Field(0.1, gt=0.0, lt=1.0)
    text_column: str = "text"
    # The label columns (0/1 each); [] takes every column other than text_column and `ignore_columns`.
    columns: list[str] = Field(default_factory=list)
    ignore_columns: list[str] = Field(default_factory=list)
    # A label with fewer training positives than this is folded into one "Other_Technique" label
    # (or left out with fold_rare false): too rare to learn or to tune a threshold for.
    min_support: int = Field(100, ge=1)
    fold_rare: bool = True
    # encoder layers copied into the branch and fine-tuned (each a layer's compute); 0: none, no cost
    layers: int = Field(0, ge=0)
    hidden: int = Field(512, ge=0, description="the head's hidden units (0: a linear layer)")
    # without copied layers, full-batch steps of the head; with them, passes over the data
    epochs: int = Field(600, ge=1)
    lr: float = Field(5e-5, gt=0.0, description="learning rate of the copied layers")
    head_lr: float = Field(1e-3, gt=0.0, description="learning rate of the head")
    weight_decay: float = Field(0.01, ge=0.0)
    batch_size: int = Field(16, ge=1, description="with copied layers")
    seed: int = 0
    # > 0: the head's logits mix in a TF-IDF logistic regression's at this share (framing.technique_lexicon)
    lexical_weight: float = Field(0.5, ge=0.0, le=1.0)
    # "shared": one threshold on the calibrated probabilities for every label, tuned for micro-F1
    # on dev; "per_label": each label's own, which overfits a dev set with few positives per label
    threshold_policy: str = Field("shared", pattern="^(shared|per_label)$")
    # > 0: `framing train` also fine-tunes the shared encoder on these labels in its main stage (each
    # text a row with the techniques' loss alone, at this weight); the head is then fitted as without it
    joint_weight: float = Field(0.0, ge=0.0)
    about: DatasetFacts = DatasetFacts()  # for the model card


SCHEMA_VERSION = 1  # raise it, and add a step to MIGRATIONS, whenever a key is renamed or moved

# MIGRATIONS[n] turns a raw config of version n into n + 1 (in place). A checkpoint keeps the config
# it was trained with (training_config.yaml), so an old one still evaluates after a rename.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], None]] = {}


class Config(_Section):
    version: int = Field(SCHEMA_VERSION, description="config schema version; older files are migrated")
    name: str = "framing-model"
    data: DataConfig
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    intermediate: Optional[IntermediateConfig] = None
    mixed: list[MixedData] = Field(default_factory=list)
    counterfactuals: Optional[CounterfactualConfig] = None
    hedges: Optional[HedgeConfig] = None
    distill: Optional[DistillConfig] = None
    techniques: Optional[TechniqueConfig] = None

    @model_validator(mode="after")
    def _intermediate_labels_are_known(self) -> "Config":
        if self.intermediate and self.data.multi_label:
            raise ValueError("intermediate: an intermediate stage trains single-label data; data.multi_label is set")
        if self.distill and self.data.multi_label:
            raise ValueError("distill: distillation trains single-label data; data.multi_label is set")
        if self.mixed and self.data.multi_label:
            raise ValueError("mixed: mixed data trains single-label data; data.multi_label is set")
        if self.trains_techniques_jointly and self.data.multi_label:
            raise ValueError("techniques.joint_weight: joint training needs single-label data; data.multi_label is set")
        stages = [("intermediate", self.intermediate)] if self.intermediate else []
        stages += [(f"mixed.{i}", source) for i, source in enumerate(self.mixed)]
        for where, section in stages:
            unknown = set(section.labels.values()) - set(self.data.label_names)
            if unknown:
                raise ValueError(f"{where}.labels maps to names not in data.labels: {sorted(unknown)}")
        return self

    @property
    def trains_techniques_jointly(self) -> bool:
        return bool(self.techniques and self.techniques.joint_weight)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def migrate(raw: dict[str, Any], source: str = "config") -> dict[str, Any]:
    """`raw` brought to SCHEMA_VERSION by the MIGRATIONS steps (a file without a version is 1)."""
    version = raw.get("version", 1)
    if not isinstance(version, int) or version < 1 or version > SCHEMA_VERSION:
        raise FramingError(
            f"{source}: config schema version {version!r} is not one this framing reads (1 to {SCHEMA_VERSION})"
        )
    raw = copy.deepcopy(raw)
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](raw)
    raw["version"] = SCHEMA_VERSION
    return raw


def config_from_dict(raw: dict[str, Any], source: str = "config") -> Config:
    raw = migrate(raw, source)
    try:
        return Config.model_validate(raw)
    except ValidationError as error:
        raise FramingError(describe_invalid(error.errors(), source)) from None


def section_keys(model: type[BaseModel]) -> dict[str, dict]:
    """The keys of `model` that are sections themselves, nested (`{"data": {"about": {}}, ...}`):
    what `extends:` merges key by key (training/config_files.py)."""
    tree = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        if get_origin(kind) in (Union, UnionType):  # Optional[Section]
            kind = next(arg for arg in get_args(kind) if arg is not type(None))
        if isinstance(kind, type) and issubclass(kind, _Section):
            tree[name] = section_keys(kind)
    return tree


def load_config(path: str | Path, overrides: list[str] | None = None) -> Config:
    """The config of a YAML file (its `extends:` chain merged in), with `overrides` applied."""
    raw = read_config_file(Path(path), section_keys(Config))
    for assignment in overrides or []:
        apply_override(raw, assignment)
    return config_from_dict(raw, str(path))


def as_current_yaml(config_yaml: str, source: str = "config") -> str:
    """A saved config (a training state's, a kept cross-validation run's) as this release
    writes it, keys added since then at their defaults, so that it compares equal to the same
    config loaded today; text this release cannot read comes back as it is (and differs)."""
    try:
        return config_from_dict(yaml.safe_load(config_yaml), source).to_yaml()
    except (FramingError, yaml.YAMLError, AttributeError):
        return config_yaml
