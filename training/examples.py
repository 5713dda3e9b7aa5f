"""Turn a data table into tokenized training examples with every target the config asks for:
the sentence label, an optional soft (annotator-vote) target, per-token word targets and an
optional auxiliary label."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd
from transformers import PreTrainedTokenizerBase

from framing.data import read_table, require_columns, texts_of
from framing.errors import FramingError
from framing.training.config import Config, DataConfig, DistillConfig
from framing.training.labels import load_table, numbers_of, targets_of, without_labels, word_lists
from framing.training.pool import normalized

IGNORE = -100  # targets with this value do not count in a loss


@dataclass
class Examples:
    texts: list[str]
    input_ids: list[list[int]]
    labels: np.ndarray  # [N] sentence label ids, or [N, C] 0/1 for multi-label data
    soft: Optional[np.ndarray] = None  # [N] share of annotators voting for `votes_for`
    word_targets: Optional[list[list[int]]] = None  # per token: 1 marked, 0 not, IGNORE special
    aux_labels: Optional[np.ndarray] = None  # [N] aux label ids, IGNORE where unlabelled
    marked: Optional[list[list[str]]] = None  # the marked words of each text, as given
    teacher: Optional[np.ndarray] = None  # [N, C] a teacher's probabilities; NaN rows have gold labels
    weight: Optional[np.ndarray] = None  # [N] each row's loss weight (a mixed source's; 1 for gold rows)
    techniques: Optional[np.ndarray] = None  # [N, K] 0/1 technique targets; NaN rows have none

    def __len__(self) -> int:
        return len(self.texts)

    def sentence_rows(self) -> np.ndarray:
        """The rows that train the sentence label: all but joint training's technique rows."""
        return np.arange(len(self)) if self.techniques is None else np.flatnonzero(np.isnan(self.techniques[:, 0]))

    def subset(self, indices) -> "Examples":
        pick = lambda seq: None if seq is None else [seq[i] for i in indices]  # noqa: E731
        arr = lambda a: None if a is None else a[np.asarray(indices, dtype=int)]  # noqa: E731
        return Examples(
            texts=pick(self.texts),
            input_ids=pick(self.input_ids),
            labels=arr(self.labels),
            soft=arr(self.soft),
            word_targets=pick(self.word_targets),
            aux_labels=arr(self.aux_labels),
            marked=pick(self.marked),
            teacher=arr(self.teacher),
            weight=arr(self.weight),
            techniques=arr(self.techniques),
        )


def marked_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Character spans of each marked word (whole-word, case-insensitive) in `text`."""
    spans = []
    for word in words:
        word = word.strip()
        if word:
            pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)"
            spans += [m.span() for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    return spans


def token_targets(offsets: list[tuple[int, int]], spans: list[tuple[int, int]], special: list[int]) -> list[int]:
    targets = []
    for (start, end), is_special in zip(offsets, special):
        if is_special:
            targets.append(IGNORE)
        else:
            targets.append(int(any(start < s_end and s_start < end for s_start, s_end in spans)))
    return targets


def word_gold(text: str, marked: list[str], words: list[dict]) -> list[bool]:
    """For each word (a dict with start/end) of `text`: does it overlap a marked word?"""
    spans = marked_spans(text, marked)
    return [any(w["start"] < e and s < w["end"] for s, e in spans) for w in words]


def word_truth(
    texts: list[str], marked: list[list[str]], words: list[list[dict]]
) -> tuple[list[list[bool]], list[list[float]]]:
    """Per text, whether each scored word is marked and its word-head weight: what word F1 and
    the word threshold are measured on (a text with no marked words counts as marking none)."""
    gold = [word_gold(text, m, ws) for text, m, ws in zip(texts, marked, words)]
    return gold, [[w["weight"] for w in ws] for ws in words]


def supervision_present(data_config: DataConfig, columns: set[str]) -> DataConfig:
    """`data_config` without the supervision columns that a table with `columns` lacks."""
    update: dict = {}
    if data_config.words_column not in columns:
        update["words_column"] = None
    if data_config.aux_label_column not in columns:
        update["aux_label_column"] = None
    if not {data_config.votes_column, data_config.annotators_column} <= columns:
        update.update(votes_column=None, annotators_column=None)
    return data_config.model_copy(update=update)


def encode(
    texts: list[str],
    marked: Optional[list[list[str]]],
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    with_words: bool,
) -> tuple[list[list[int]], Optional[list[list[int]]]]:
    """Token ids of `texts`, and with `with_words` each token's word target (1 where it overlaps
    one of the text's `marked` words, 0 elsewhere, IGNORE on special tokens)."""
    encoded = tokenizer(
        texts,
        truncation=True,
        max_length=max_length,
        return_offsets_mapping=with_words,
        return_special_tokens_mask=with_words,
    )
    if not with_words:
        return encoded["input_ids"], None
    return encoded["input_ids"], [
        token_targets(offsets, marked_spans(text, words), special)
        for text, words, offsets, special in zip(
            texts, marked, encoded["offset_mapping"], encoded["special_tokens_mask"]
        )
    ]


def build_examples(
    frame: pd.DataFrame,
    data_name: str,
    data_config: DataConfig,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    partial: bool = False,
) -> Examples:
    """Examples of one table. With `partial` (an extra training file), a supervision column the
    table lacks (words, aux labels, votes) is left out for its rows instead of failing."""
    if partial:
        data_config = supervision_present(data_config, set(frame.columns))
    supervision = [
        data_config.words_column,
        data_config.aux_label_column,
        data_config.votes_column,
        data_config.annotators_column,
    ]
    require_columns(frame, [data_config.text_column, data_config.label_column, *supervision], data_name)
    frame = without_labels(frame, data_config.label_column, data_config.drop_labels, data_name)
    texts = texts_of(frame, data_config.text_column, data_name)
    names = data_config.label_names
    labels = targets_of(
        frame,
        data_config.label_column,
        data_config.labels,
        names,
        data_name,
        data_config.multi_label,
        data_config.label_separator,
    )
    words = word_lists(frame, data_config.words_column, data_name) if data_config.words_column else None
    input_ids, word_targets = encode(texts, words, tokenizer, max_length, bool(data_config.words_column))
    examples = Examples(texts=texts, input_ids=input_ids, labels=labels, word_targets=word_targets, marked=words)
    if data_config.votes_column:
        votes = np.asarray(numbers_of(frame, data_config.votes_column, data_name))
        annotators = np.asarray(numbers_of(frame, data_config.annotators_column, data_name))
        examples.soft = np.clip(votes / np.maximum(annotators, 1), 0.0, 1.0)
    if data_config.aux_label_column:
        aux_names = data_config.aux_label_names
        raw = frame[data_config.aux_label_column].tolist()
        # Rows whose aux value is not mapped (e.g. "No agreement") just do not train the aux head.
        examples.aux_labels = np.asarray(
            [aux_names.index(data_config.aux_labels[v]) if v in data_config.aux_labels else IGNORE for v in raw]
        )
    return examples


def labelled_parts(
    data_config: DataConfig, tokenizer: PreTrainedTokenizerBase, max_length: int, with_dev: bool = False
) -> tuple[list[Examples], list[tuple[str, pd.DataFrame]]]:
    """The examples of each labelled file, for join_examples: `train`, then every `extra_train`
    file (a supervision column one lacks is left out for its rows), and with `with_dev` the dev
    file too (cross-validation pools it). Also each file's name and kept rows, in the same order,
    for the columns a caller reads beside the examples (an outlet, another label column)."""
    sources = [(data_config.train, "train"), *[(extra, "train") for extra in data_config.extra_train]]
    if with_dev and data_config.dev:
        sources.append((data_config.dev, "validation"))
    parts, kept = [], []
    for index, (source, split) in enumerate(sources):
        frame = without_labels(load_table(source, split), data_config.label_column, data_config.drop_labels, source)
        kept.append((source, frame))
        parts.append(build_examples(frame, source, data_config, tokenizer, max_length, partial=index > 0))
    return parts, kept


def join_examples(parts: list[Examples], data_config: DataConfig) -> Examples:
    """One set of examples from several tables' (train, extra files, a distillation pool). A part
    without a target the others have gets a neutral stand-in: its hard label for the soft target,
    IGNOREd word targets and aux labels, no marked words, NaN teacher probabilities."""
    if len(parts) == 1:
        return parts[0]
    votes_for = data_config.label_names.index(data_config.votes_for) if data_config.votes_for else None
    parts_with_teacher = [p for p in parts if p.teacher is not None]
    parts_with_techniques = [p for p in parts if p.techniques is not None]

    def filled(part: Examples, name: str):
        value = getattr(part, name)
        if value is not None or all(getattr(p, name) is None for p in parts):
            return value
        if name == "soft":  # the hard label as a 0/1 share
            return (part.labels == votes_for).astype(float)
        if name == "aux_labels":
            return np.full(len(part), IGNORE)
        if name == "teacher":  # gold-labelled rows: no teacher
            return np.full((len(part), parts_with_teacher[0].teacher.shape[1]), np.nan)
        if name == "techniques":  # rows of the sentence label: no technique targets
            return np.full((len(part), parts_with_techniques[0].techniques.shape[1]), np.nan)
        if name == "word_targets":
            return [[IGNORE] * len(ids) for ids in part.input_ids]
        if name == "weight":
            return np.ones(len(part))
        return [[] for _ in part.texts]  # marked

    joined = {}
    names = ("texts", "input_ids", "labels", "soft", "word_targets", "aux_labels", "marked", "teacher", "weight")
    for name in (*names, "techniques"):
        values = [filled(p, name) for p in parts]
        if values[0] is None:
            joined[name] = None
        elif isinstance(values[0], np.ndarray):
            joined[name] = np.concatenate(values)
        else:
            joined[name] = [item for value in values for item in value]
    return Examples(**joined)


def sentence_source(
    data: str,
    text_column: str,
    label_column: str,
    labels: dict[str, str],
    max_examples: Optional[int],
    main: DataConfig,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    seed: int,
) -> tuple[Examples, pd.DataFrame]:
    """Examples of a sentence-label-only source (an intermediate stage, a mixed source), with
    label ids in the main data's order, and its kept rows; with `max_examples`, a class-balanced
    sample of at most that many rows (fixed seed)."""
    frame = load_table(data, "train")
    require_columns(frame, [label_column], data)
    if max_examples and len(frame) > max_examples:
        per_class = max_examples // frame[label_column].nunique()
        frame = pd.concat(
            [group.sample(min(len(group), per_class), random_state=seed) for _, group in frame.groupby(label_column)]
        ).sort_index()
    source = DataConfig(train=data, text_column=text_column, label_column=label_column, labels=labels)
    examples = build_examples(frame, data, source, tokenizer, max_length)
    # ids follow the main label order, whatever order the source's mapping lists them in
    examples.labels = np.array([main.label_names.index(source.label_names[i]) for i in examples.labels], dtype=int)
    return examples, without_labels(frame, label_column, [], data)


def mixed_parts(config: Config, tokenizer: PreTrainedTokenizerBase) -> list[tuple[Examples, pd.DataFrame]]:
    """Each `mixed` source's examples, weighted by its `weight`, with its kept rows."""
    parts = []
    for source in config.mixed:
        examples, frame = sentence_source(
            source.data,
            source.text_column,
            source.label_column,
            source.labels,
            source.max_examples,
            config.data,
            tokenizer,
            config.model.max_length,
            config.train.seed,
        )
        if source.group_column:
            require_columns(frame, [source.group_column], source.data)
        examples.weight = np.full(len(examples), source.weight)
        parts.append((examples, frame))
    return parts


def disagreeing(parts: list[Examples], rule: str) -> list[np.ndarray]:
    """For each part, a mask [N] of the rows to keep under `data.on_disagreement`: where one
    sentence (matched as `framing pool` matches them: case, quote style and spacing folded)
    has different labels in two parts, "first" keeps the rows
    of the first part that has it, "drop" none of them; "keep" keeps every row."""
    keep = [np.ones(len(part), dtype=bool) for part in parts]
    if rule == "keep":
        return keep
    first_part: dict[str, int] = {}
    labels_of: dict[str, set] = {}
    for index, part in enumerate(parts):
        for text, label in zip(part.texts, part.labels.tolist()):
            key = normalized(text)
            first_part.setdefault(key, index)
            labels_of.setdefault(key, set()).add(label)
    for index, part in enumerate(parts):
        for row, text in enumerate(part.texts):
            key = normalized(text)
            if len(labels_of[key]) > 1 and (rule == "drop" or first_part[key] != index):
                keep[index][row] = False
    return keep


def pool_examples(distill: DistillConfig, tokenizer: PreTrainedTokenizerBase, max_length: int) -> Examples:
    """The pool's texts alone (the first score file's, or any table with the text column, such
    as the pool itself), for teachers trained later to score (strict cross-validation)."""
    source = distill.scores[0]
    return _text_examples(
        texts_of(_pool_rows(read_table(source), distill), distill.text_column, source), tokenizer, max_length
    )


def teacher_examples(
    distill: DistillConfig, label_names: list[str], tokenizer: PreTrainedTokenizerBase, max_length: int
) -> Examples:
    """The distillation pool: texts with the average of the teachers' probabilities [N, C]
    (renormalised), and the teacher's best label as the hard label."""
    columns = [f"scores.{name}" for name in label_names]
    texts, probabilities = None, []
    for source in distill.scores:
        frame = read_table(source)
        require_columns(frame, [distill.text_column, *columns], source)
        frame = _pool_rows(frame, distill)
        these = texts_of(frame, distill.text_column, source)
        if texts is not None and these != texts:
            row = next(i for i, (a, b) in enumerate(zip(these, texts)) if a != b) if len(these) == len(texts) else None
            where = f"row {row + 1} differs" if row is not None else f"{len(these)} rows against {len(texts)}"
            raise FramingError(
                f"{source}: not the same texts as {distill.scores[0]} ({where}); an ensemble's "
                f"score files must score the same pool in the same order"
            )
        texts = these
        values = frame[columns].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values).all(axis=1) | (values < 0).any(axis=1))
        if len(bad):
            raise FramingError(
                f"{source}: row {int(frame.index[bad[0]]) + 1}: scores must be probabilities, got "
                f"{values[bad[0]].tolist()}"
            )
        probabilities.append(values)
    return with_teacher(_text_examples(texts, tokenizer, max_length), np.mean(probabilities, axis=0))


def with_teacher(pool: Examples, probabilities: np.ndarray) -> Examples:
    """The pool with these teacher probabilities [P, C] (renormalised) as its targets, and the
    teacher's best label as the hard label."""
    teacher = probabilities / probabilities.sum(axis=1, keepdims=True)
    return dataclasses.replace(pool, teacher=teacher, labels=teacher.argmax(axis=1))


def _pool_rows(frame: pd.DataFrame, distill: DistillConfig) -> pd.DataFrame:
    """The first `max_examples` rows (a pool written by `framing pool` is balanced in every prefix)."""
    return frame.iloc[: distill.max_examples] if distill.max_examples else frame


def _text_examples(texts: list[str], tokenizer: PreTrainedTokenizerBase, max_length: int) -> Examples:
    """Unlabelled texts, tokenized; their labels are placeholders until a teacher's are set."""
    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    return Examples(texts=texts, input_ids=encoded["input_ids"], labels=np.zeros(len(texts), dtype=int))
