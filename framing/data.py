"""Reading passages and labels from files or Hugging Face datasets, with errors that name
the file, row, column and value at fault.

Rows are numbered from 1 in the order of the data (a CSV's header is not a row); in JSONL
and TXT files a row's number is its line number (blank lines are skipped, not renumbered).
Every frame read here carries those numbers in its index (number - 1), also for a chunk of a
larger file and after rows are left out (`without_labels`), so errors name the file's row.
"""

from __future__ import annotations

import ast
import csv
import contextlib
import json
import math
from pathlib import Path
from typing import Iterable, Iterator, Optional

import numpy as np
import pandas as pd

from framing.errors import FramingError
from framing.hashing import sha256_of

READERS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet", ".txt": "txt"}
# TSV is tab-separated fields, one row per line: quotes are text, not CSV quoting
TSV = {"sep": "\t", "quoting": csv.QUOTE_NONE}
WHOLE = 1 << 20  # rows per chunk when a file is read whole (read_table): in practice, one chunk


def _is_local(source: str) -> bool:
    return Path(source).suffix.lower() in READERS or Path(source).exists()


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a local CSV, TSV, JSONL, Parquet or TXT (one passage per line, column `text`)
    whole: the chunks of read_chunks, joined (same options, same row numbers)."""
    frames = list(read_chunks(path, WHOLE))
    if len(frames) == 1:
        return frames[0]
    if frames:
        return pd.concat(frames)
    return _empty_frame(Path(path))


def _empty_frame(path: Path) -> pd.DataFrame:
    """A file with no rows: its columns, where the format has them."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_schema(path).empty_table().to_pandas()
    return pd.DataFrame({"text": []} if path.suffix.lower() == ".txt" else {})


def read_chunks(path: str | Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Read a local CSV, TSV, JSONL, Parquet or TXT file in frames of at most `chunk_size`
    rows, in file order, holding one chunk in memory at a time. The same file and chunk size
    always give the same chunks (resumed corpus scoring relies on it)."""
    path = Path(path)
    kind = _kind_of(path)
    with _reading(path, kind):
        if kind in ("csv", "tsv"):
            with pd.read_csv(path, **(TSV if kind == "tsv" else {}), dtype=str, keep_default_na=False,
                             na_values=[""], chunksize=chunk_size) as reader:
                yield from reader
        elif kind == "parquet":
            import pyarrow.parquet as pq

            offset = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                frame = batch.to_pandas()
                frame.index = pd.RangeIndex(offset, offset + len(frame))  # rows of the file, not of the batch
                offset += len(frame)
                yield frame
        else:
            yield from _line_chunks(path, kind, chunk_size)


@contextlib.contextmanager
def _reading(path: Path, kind: str) -> Iterator[None]:
    """Turn the readers' many exceptions into one FramingError line naming the file."""
    try:
        yield
    except FramingError:
        raise
    except UnicodeDecodeError as error:
        raise FramingError(f"{path}: not valid UTF-8 ({error.reason} at byte {error.start})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FramingError(f"{path}: cannot read as {kind}: {first_line}") from None


def _line_chunks(path: Path, kind: str, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Frames of non-blank lines, indexed by line number - 1; a UTF-8 BOM is dropped."""
    rows: list = []
    numbers: list[int] = []
    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            rows.append({"text": line.rstrip("\r\n")} if kind == "txt" else _json_record(path, line_number, line))
            numbers.append(line_number - 1)
            if len(rows) == chunk_size:
                yield pd.DataFrame.from_records(rows, index=numbers)
                rows, numbers = [], []
    if rows:
        yield pd.DataFrame.from_records(rows, index=numbers)


def require_parquet(path: Path) -> None:
    """Parquet needs pyarrow, an optional extra of the light install."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise FramingError(f"{path}: Parquet needs pyarrow: pip install \"framing[parquet]\"") from None


def _kind_of(path: Path) -> str:
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(READERS))
        raise FramingError(f"{path}: unknown file format '{path.suffix}' (expected one of {known})")
    if not path.is_file():
        raise FramingError(f"{path}: file not found")
    if kind == "parquet":
        require_parquet(path)
    return kind


def _json_record(path: Path, line_number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise FramingError(f"{path}: line {line_number} is not valid JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise FramingError(f"{path}: line {line_number} is not a JSON object")
    return record


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
    if _is_local(source):
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


def require_columns(frame: pd.DataFrame, columns: Iterable[Optional[str]], source: str) -> None:
    for column in columns:
        if column and column not in frame.columns:
            existing = ", ".join(map(str, frame.columns)) or "(none)"
            raise FramingError(f"{source}: no column '{column}' (columns: {existing})")


def row_numbers(frame: pd.DataFrame) -> list[int]:
    """The file row number (from 1) of each row of a frame read here (see the module docstring)."""
    if pd.api.types.is_integer_dtype(frame.index):
        return (frame.index + 1).tolist()
    return list(range(1, len(frame) + 1))  # a frame built in memory: rows in order


def texts_of(frame: pd.DataFrame, column: str, source: str) -> list[str]:
    """The passages of a column, refusing empty or non-string values by row."""
    require_columns(frame, [column], source)
    if len(frame) == 0:
        raise FramingError(f"{source}: no rows")
    texts = []
    for row, value in zip(row_numbers(frame), frame[column].tolist()):
        if not isinstance(value, str):
            raise FramingError(f"{source}: row {row}, column '{column}': expected text, got {_show(value)}")
        if not value.strip():
            raise FramingError(f"{source}: row {row}, column '{column}': empty text")
        texts.append(value)
    return texts


def without_labels(frame: pd.DataFrame, column: str, dropped: list[str], source: str) -> pd.DataFrame:
    """Leave out rows whose label is one of `dropped` (e.g. BABE's "No agreement")."""
    if not dropped:
        return frame
    require_columns(frame, [column], source)
    kept = frame[~frame[column].isin(dropped)]  # the index keeps each row's file number
    if kept.empty:
        raise FramingError(f"{source}: no rows left after dropping labels {dropped} in column '{column}'")
    return kept


def label_ids(frame: pd.DataFrame, column: str, mapping: dict[str, str], names: list[str], source: str) -> list[int]:
    """Map raw labels to ids. Values may be raw labels (keys of `mapping`) or label names."""
    require_columns(frame, [column], source)
    lookup = {name: index for index, name in enumerate(names)}
    lookup.update({raw: names.index(name) for raw, name in mapping.items()})
    ids = []
    for row, value in zip(row_numbers(frame), frame[column].tolist()):
        key = value if isinstance(value, str) else _show(value)
        if key not in lookup:
            expected = ", ".join(repr(k) for k in lookup)
            raise FramingError(f"{source}: row {row}, column '{column}': unknown label {_show(value)} (expected one of {expected})")
        ids.append(lookup[key])
    return ids


def targets_of(frame: pd.DataFrame, column: str, mapping: dict[str, str], names: list[str], source: str,
               multi_label: bool = False, separator: str = "|") -> np.ndarray:
    """Gold labels: [N] label ids, or [N, C] 0/1 targets for multi-label data."""
    if multi_label:
        return label_sets(frame, column, mapping, names, source, separator)
    return np.asarray(label_ids(frame, column, mapping, names, source))


def label_sets(frame: pd.DataFrame, column: str, mapping: dict[str, str], names: list[str], source: str,
               separator: str = "|") -> np.ndarray:
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
            raise FramingError(f"{source}: row {row}, column '{column}': expected a list of labels or text joined by "
                               f"{separator!r}, got {_show(value)}")
        for label in value:
            if not isinstance(label, str) or label not in lookup:
                expected = ", ".join(repr(k) for k in lookup)
                raise FramingError(f"{source}: row {row}, column '{column}': unknown label {_show(label)} "
                                   f"(expected any of {expected})")
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
            raise FramingError(f"{source}: row {row}, column '{column}': expected a number, got {_show(raw)}")
    return [float(v) for v in values.tolist()]


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "an empty value"
    return repr(value)
