"""Turn a data table into tokenized training examples with every target the config asks for:
the sentence label, an optional soft (annotator-vote) target, per-token word targets and an
optional auxiliary label."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd
from transformers import PreTrainedTokenizerBase

from framing.training.config import DataConfig
from framing.data import require_columns, texts_of
from framing.training.labels import numbers_of, targets_of, without_labels, word_lists

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

    def __len__(self) -> int:
        return len(self.texts)

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


def build_examples(
    frame: pd.DataFrame, data_name: str, data_config: DataConfig, tokenizer: PreTrainedTokenizerBase, max_length: int
) -> Examples:
    require_columns(frame, [data_config.text_column, data_config.label_column, data_config.words_column, data_config.aux_label_column,
                            data_config.votes_column, data_config.annotators_column], data_name)
    frame = without_labels(frame, data_config.label_column, data_config.drop_labels, data_name)
    texts = texts_of(frame, data_config.text_column, data_name)
    names = data_config.label_names
    labels = targets_of(frame, data_config.label_column, data_config.labels, names, data_name, data_config.multi_label, data_config.label_separator)
    encoded = tokenizer(
        texts, truncation=True, max_length=max_length,
        return_offsets_mapping=bool(data_config.words_column), return_special_tokens_mask=bool(data_config.words_column),
    )
    examples = Examples(texts=texts, input_ids=encoded["input_ids"], labels=labels)
    if data_config.votes_column:
        votes = np.asarray(numbers_of(frame, data_config.votes_column, data_name))
        annotators = np.asarray(numbers_of(frame, data_config.annotators_column, data_name))
        examples.soft = np.clip(votes / np.maximum(annotators, 1), 0.0, 1.0)
    if data_config.words_column:
        words = word_lists(frame, data_config.words_column, data_name)
        examples.marked = words
        examples.word_targets = [
            token_targets(offsets, marked_spans(text, marked), special)
            for text, marked, offsets, special in zip(
                texts, words, encoded["offset_mapping"], encoded["special_tokens_mask"]
            )
        ]
    if data_config.aux_label_column:
        aux_names = data_config.aux_label_names
        raw = frame[data_config.aux_label_column].tolist()
        # Rows whose aux value is not mapped (e.g. "No agreement") just do not train the aux head.
        examples.aux_labels = np.asarray(
            [aux_names.index(data_config.aux_labels[v]) if v in data_config.aux_labels else IGNORE for v in raw]
        )
    return examples
