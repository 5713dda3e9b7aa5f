"""Input columns that corpus scoring copies into its output (`--keep-columns id,outlet`).

A kept column comes back as it went in, whatever the chunk size: a JSONL key missing from a
whole chunk is an empty cell there (not a missing column), integers stay integers beside
empty cells (framing.data reads them as objects, never as floats), lists stay lists, and a
column whose values have different types in different rows (ids that are numbers in some
rows and text in others) is decided over the whole file, not per chunk. A kept column never
takes or gives a result column's name.
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from framing.errors import FramingError

RESULT_COLUMNS = ("row", "label", "score", "scores", "labels")  # plus `scores.<label>` in CSV and Parquet


def check_kept_names(keep_columns: Sequence[str], labels: Sequence[str], more_results: Sequence[str] = ()) -> None:
    """Refuse kept columns that repeat or that share a name with a result column (an earlier
    model's `scores.editorializing` would be written beside the new one under the same name);
    `more_results`: the job's other result columns (an article job's, framing.corpus_articles)."""
    repeated = sorted({c for c in keep_columns if list(keep_columns).count(c) > 1})
    if repeated:
        raise FramingError(f"--keep-columns {', '.join(repeated)}: named more than once")
    names = list(dict.fromkeys([*RESULT_COLUMNS, *more_results]))
    prefixes = ("scores.", "techniques.") if "techniques" in names else ("scores.",)  # a technique head's columns
    clashes = sorted(c for c in keep_columns if c in names or c.startswith(prefixes))
    if clashes:
        raise FramingError(
            f"--keep-columns {', '.join(clashes)}: the output has its own column of that name "
            f"({', '.join(names)}, {', '.join(p + '<...>' for p in prefixes)}); rename the input column"
        )


def with_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """`frame` with every one of `columns`, empty (None) where a chunk has none of its values
    (in JSONL each row has its own keys)."""
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: pd.Series([None] * len(frame), index=frame.index, dtype=object) for c in missing})


def value_kinds(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, set[str]]:
    """The kinds of non-empty value in each column: text, number, bool, list or object."""
    return {c: {_kind(v) for v in frame[c].tolist() if not _empty(v)} for c in columns}


def _kind(value) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "list"
    return "object"


def _empty(value) -> bool:  # None, NaN, NaT, pd.NA (pd.isna of a list would answer per element)
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _plain(value):
    """A cell as a JSON value: numpy scalars and arrays become Python numbers and lists."""
    if _empty(value):
        return None
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value.item() if isinstance(value, np.generic) else value


def _as_text(value):
    """A CSV cell, or a Parquet cell of a mixed column: text as it is, other values as JSON."""
    value = _plain(value)
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)  # default: dates and times as JSON lines write them


def kept_records(frame: pd.DataFrame, keep_columns: Sequence[str]) -> list[dict]:
    """The kept columns of each row for JSON lines: empty cells null, numpy values plain."""
    frame = with_columns(frame, keep_columns)
    return [
        {c: _plain(v) for c, v in zip(keep_columns, values)}
        for values in frame[list(keep_columns)].itertuples(index=False, name=None)
    ]


def kept_table(frame: pd.DataFrame, keep_columns: Sequence[str], kind: str, mixed: Sequence[str]) -> pd.DataFrame:
    """The kept columns for a CSV (every cell text: numbers and lists as JSON) or a Parquet
    output (typed; a column `mixed` over the whole file as text, so every part has one type)."""
    frame = with_columns(frame, keep_columns).reset_index(drop=True)
    columns = {}
    for c in keep_columns:
        as_text = kind == ".csv" or c in mixed
        columns[c] = pd.Series([_as_text(v) if as_text else _plain(v) for v in frame[c].tolist()], dtype=object)
    return pd.DataFrame(columns, index=range(len(frame)))


def mixed_columns(kinds: dict[str, set[str]]) -> list[str]:
    """Columns holding more than one kind of value somewhere in the file."""
    return sorted(c for c, found in kinds.items() if len(found) > 1)
