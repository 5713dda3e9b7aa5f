"""Labelled data for training and evaluation: tables from files, folders or Hugging Face
datasets, labels mapped to ids (or multi-label targets), marked-word lists and vote counts,
with errors that name the file, row, column and value at fault (rows keep their file numbers:
see framing.data)."""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from framing.data import READERS, read_table, require_columns, row_numbers, show_value
from framing.errors import FramingError
from framing.hashing import sha256_of


def is_local(source: str) -> bool:
    """Whether `source` names a local file or folder (a data file's name, or a path that exists)
    rather than a hub dataset id."""
    return Path(source).suffix.lower() in READERS or Path(source).exists()


def read_folder(folder: Path) -> pd.DataFrame:
    """Every CSV/TSV/JSONL/Parquet/TXT file in a folder (not recursive, sorted by name), stacked."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in READERS)
    if not files:
        raise FramingError(f"{folder}: no {', '.join(sorted(READERS))} files in this folder")
    frames = [read_table(path) for path in files]
    first = list(frames[0].columns)
    for path, frame in zip(files[1:], frames[1:]):
        if set(frame.columns) != set(first):
            raise FramingError(f"{path}: columns {list(frame.columns)} differ from {files[0].name}'s {first}")
    return pd.concat(frames, ignore_index=True)


def load_table(source: str, split: str = "train") -> pd.DataFrame:
    """A local file or folder of files, or a Hugging Face dataset id (optionally `id:split`)
    for users with a network."""
    if Path(source).is_dir():
        return read_folder(Path(source))
    if is_local(source):
        return read_table(source)
    name, _, named_split = source.partition(":")
    try:
        import datasets

        return datasets.load_dataset(name, split=named_split or split).to_pandas()
    except Exception as error:  # the hub client raises many types; the message is what matters
        raise FramingError(f"cannot load dataset '{source}' (split '{named_split or split}'): {error}") from None


def fingerprint(source: str) -> Optional[str]:
    """sha256 of a local data file (or of a folder's data files, in name order); None for a
    hub dataset id, whose revision the hub tracks."""
    path = Path(source)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in READERS) if path.is_dir() else [path]
    if not all(f.is_file() for f in files):
        return None
    return sha256_of(*files)


UNLABELLED = ""  # in drop_labels: rows whose label cell is empty (e.g. a label column only some rows have)


def without_labels(frame: pd.DataFrame, column: str, dropped: list[str], source: str) -> pd.DataFrame:
    """Leave out rows whose label is one of `dropped` (e.g. BABE's "No agreement"; "" for
    rows with an empty label cell)."""
    if not dropped:
        return frame
    require_columns(frame, [column], source)
    kept = frame[~dropped_cells(frame[column], dropped)]  # the index keeps each row's file number
    if kept.empty:
        raise FramingError(f"{source}: no rows left after dropping labels {dropped} in column '{column}'")
    return kept


def dropped_cells(values: pd.Series, dropped: list[str]) -> pd.Series:
    """Which label cells hold one of `dropped` ("" matching an empty cell too)."""
    if UNLABELLED in dropped:  # readers give an empty cell as NaN or None, or "" from JSON
        values = values.where(values.notna(), UNLABELLED).map(lambda v: v.strip() if isinstance(v, str) else v)
    return values.isin(dropped)


def label_ids(frame: pd.DataFrame, column: str, mapping: dict[str, str], names: list[str], source: str) -> list[int]:
    """Map raw labels to ids. Values may be raw labels (keys of `mapping`) or label names."""
    require_columns(frame, [column], source)
    lookup = {name: index for index, name in enumerate(names)}
    lookup.update({raw: names.index(name) for raw, name in mapping.items()})
    ids = []
    for row, value in zip(row_numbers(frame), frame[column].tolist()):
        key = value if isinstance(value, str) else show_value(value)
        if key not in lookup:
            expected = ", ".join(repr(k) for k in lookup)
            raise FramingError(
                f"{source}: row {row}, column '{column}': unknown label {show_value(value)} "
                f"(expected one of {expected})"
            )
        ids.append(lookup[key])
    return ids


def targets_of(
    frame: pd.DataFrame,
    column: str,
    mapping: dict[str, str],
    names: list[str],
    source: str,
    multi_label: bool = False,
    separator: str = "|",
) -> np.ndarray:
    """Gold labels: [N] label ids, or [N, C] 0/1 targets for multi-label data."""
    if multi_label:
        return label_sets(frame, column, mapping, names, source, separator)
    return np.asarray(label_ids(frame, column, mapping, names, source))


def label_sets(
    frame: pd.DataFrame, column: str, mapping: dict[str, str], names: list[str], source: str, separator: str = "|"
) -> np.ndarray:
    """Multi-label targets [N, C] (0/1): each value is a list of labels (raw or names) or a
    string of them joined by `separator`; an empty value is no label."""
    require_columns(frame, [column], source)
    lookup = {name: index for index, name in enumerate(names)}
    lookup.update({raw: names.index(name) for raw, name in mapping.items()})
    targets = np.zeros((len(frame), len(names)), dtype=np.int64)
    for position, (row, value) in enumerate(zip(row_numbers(frame), frame[column].tolist())):
        if hasattr(value, "tolist") and not isinstance(value, str):
            value = value.tolist()  # a Parquet list column arrives as a numpy array
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = []
        elif isinstance(value, str):
            value = [part.strip() for part in value.split(separator) if part.strip()]
        if not isinstance(value, (list, tuple)):
            raise FramingError(
                f"{source}: row {row}, column '{column}': expected a list of labels or text joined by "
                f"{separator!r}, got {show_value(value)}"
            )
        for label in value:
            if not isinstance(label, str) or label not in lookup:
                expected = ", ".join(repr(k) for k in lookup)
                raise FramingError(
                    f"{source}: row {row}, column '{column}': unknown label {show_value(label)} "
                    f"(expected any of {expected})"
                )
            targets[position, lookup[label]] = 1
    return targets


def word_lists(frame: pd.DataFrame, column: str, source: str) -> list[list[str]]:
    """Parse a column of word lists: a list, a Python/JSON list literal, or empty for none."""
    require_columns(frame, [column], source)
    parsed = []
    for row, value in zip(row_numbers(frame), frame[column].tolist()):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            parsed.append([])
            continue
        if isinstance(value, str):
            try:
                value = ast.literal_eval(value) if value.strip() else []
            except (ValueError, SyntaxError):
                raise FramingError(f"{source}: row {row}, column '{column}': not a list of words: {value!r}") from None
        if not isinstance(value, (list, tuple)) and not hasattr(value, "tolist"):
            raise FramingError(f"{source}: row {row}, column '{column}': not a list of words: {value!r}")
        words = list(value.tolist() if hasattr(value, "tolist") else value)
        if not all(isinstance(word, str) for word in words):
            raise FramingError(f"{source}: row {row}, column '{column}': list holds a non-string: {words!r}")
        parsed.append(words)
    return parsed


def numbers_of(frame: pd.DataFrame, column: str, source: str) -> list[float]:
    require_columns(frame, [column], source)
    values = pd.to_numeric(frame[column], errors="coerce")
    for row, raw, number in zip(row_numbers(frame), frame[column].tolist(), values.tolist()):
        if number is None or math.isnan(number):
            raise FramingError(f"{source}: row {row}, column '{column}': expected a number, got {show_value(raw)}")
    return [float(v) for v in values.tolist()]
