"""Reading passages from files, with errors that name the file, row, column and value at
fault. (Labels, word lists and Hugging Face datasets, which only training reads, are in
framing.training.labels.)

Rows are numbered from 1 in the order of the data (a CSV's header is not a row); in JSONL
and TXT files a row's number is its line number (blank lines are skipped, not renumbered).
Every frame read here carries those numbers in its index (number - 1), also for a chunk of a
larger file and after rows are left out (`without_labels`), so errors name the file's row.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import re
from pathlib import Path
from typing import Iterable, Iterator, Optional

import pandas as pd

from framing.errors import FramingError

READERS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet", ".txt": "txt"}
# TSV is tab-separated fields, one row per line: quotes are text, not CSV quoting
TSV = {"sep": "\t", "quoting": csv.QUOTE_NONE}
# the same dialects for the csv module, which re-reads a file to find its short or undecodable rows
CSV_MODULE_DIALECTS = {"csv": {}, "tsv": {"delimiter": "\t", "quoting": csv.QUOTE_NONE}}
WHOLE = 1 << 20  # rows per chunk when a file is read whole (read_table): in practice, one chunk
# The csv module (used to find short, ragged and undecodable rows) refuses fields over 128 KiB
# by default; pandas reads any size, so the checks must too.
csv.field_size_limit(2**31 - 1)


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
            widths = _record_widths(path, kind)
            with pd.read_csv(
                path,
                **(TSV if kind == "tsv" else {}),
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                chunksize=chunk_size,
            ) as reader:
                for chunk in reader:
                    # A first row with one field more than the header makes pandas take the first
                    # column as the index (so a fragment of text would be scored and kept as an id).
                    if not isinstance(chunk.index, pd.RangeIndex):
                        raise FramingError(_ragged(path, kind, 1, len(chunk.columns) + 1, len(chunk.columns)))
                    # A row with fewer fields reads as empty trailing cells: where the last column
                    # has one, count the fields of the rows read so far (no second pass otherwise).
                    if len(chunk) and chunk[chunk.columns[-1]].isna().any():
                        _require_full_rows(widths, chunk.index[-1] + 1, len(chunk.columns), path, kind)
                    yield chunk
        elif kind == "parquet":
            import pyarrow.parquet as pq

            offset = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                frame = batch.to_pandas(integer_object_nulls=True)  # integers beside empty cells stay integers
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
    except UnicodeDecodeError:  # the error's offset is into a read buffer: find the file's own
        raise FramingError(_undecodable(path, kind)) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as error:
        # pandas counts records from the header as line 1 (a quoted line break does not count)
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if ragged:
            expected, line, saw = map(int, ragged.groups())
            raise FramingError(_ragged(path, kind, line - 1, saw, expected)) from None
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FramingError(f"{path}: cannot read as {kind}: {first_line}") from None


def _record_widths(path: Path, kind: str) -> Iterator[tuple[int, int]]:
    """(row, fields) of each non-blank record after the header, lazily, read with the csv
    module: pandas does not report a row with fewer fields than the header."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = (
            record for record in csv.reader(handle, **CSV_MODULE_DIALECTS[kind]) if record
        )  # pandas skips blank lines
        next(records, None)
        for row, record in enumerate(records, start=1):
            yield row, len(record)


def _require_full_rows(widths: Iterator[tuple[int, int]], last_row: int, expected: int, path: Path, kind: str) -> None:
    """Advance `widths` through row `last_row`, refusing a row with fewer than `expected` fields."""
    for row, fields in widths:
        if fields < expected:
            raise FramingError(_ragged(path, kind, row, fields, expected))
        if row >= last_row:
            return


def _ragged(path: Path, kind: str, row: int, fields: int, expected: int) -> str:
    if fields < expected:
        hint = "a field with a line break must be quoted" if kind == "csv" else "a line break inside a field?"
    else:
        hint = "a comma inside a field must be quoted" if kind == "csv" else "a tab inside a field?"
    return f"{path}: row {row} has {fields} fields but the header has {expected} ({hint})"


def _undecodable(path: Path, kind: str) -> str:
    """Where a file first stops being UTF-8: its row (CSV/TSV records, so a quoted line break
    stays in its row; a line elsewhere) and byte offset, read again line by line in binary."""
    found: dict = {}

    def lines() -> Iterator[str]:  # decoded lines up to the bad byte, then a stand-in for it
        offset = 0
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    found.update(byte=offset + error.start, reason=error.reason, line=number)
                    yield raw[: error.start].decode("utf-8") + "?"  # the row holding the bad byte counts
                    return
                offset += len(raw)

    if kind in ("csv", "tsv"):
        records = sum(1 for _ in csv.reader(lines(), **CSV_MODULE_DIALECTS[kind]))
        where = f"row {records - 1}" if records > 1 else "the header"
    else:
        for _ in lines():
            pass
        where = f"line {found.get('line')}"
    if not found:  # the reader failed where a line-by-line decode does not: name the file only
        return f"{path}: not valid UTF-8"
    return f"{path}: {where} is not valid UTF-8 ({found['reason']} at byte {found['byte']} of the file)"


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
                yield _records_frame(rows, numbers)
                rows, numbers = [], []
    if rows:
        yield _records_frame(rows, numbers)


def _records_frame(rows: list[dict], numbers: list[int]) -> pd.DataFrame:
    """JSON values as they are: object columns, so an integer beside an empty cell is not made
    a float (digits lost beyond 2**53) and a chunk's types do not depend on its other rows."""
    return pd.DataFrame(rows, index=numbers, dtype=object)


def require_parquet(path: Path) -> None:
    """Parquet needs pyarrow, an optional extra of the light install."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise FramingError(f'{path}: Parquet needs pyarrow: pip install "framing[parquet]"') from None


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
            raise FramingError(f"{source}: row {row}, column '{column}': expected text, got {show_value(value)}")
        if not value.strip():
            raise FramingError(f"{source}: row {row}, column '{column}': empty text")
        texts.append(value)
    return texts


def show_value(value: object) -> str:
    """A cell's value for an error message (an empty cell is named as such)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "an empty value"
    return repr(value)
