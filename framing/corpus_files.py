"""What a corpus job writes (framing.corpus): its rows (passages: `frame_records` for JSON
lines, `frame_table` for CSV and Parquet; articles: framing.corpus_articles), part files and the
joined output, each written whole under a temporary name or not at all."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from framing.data import require_parquet, row_numbers
from framing.errors import FramingError
from framing.kept_columns import kept_records
from framing.output import atomic_file

OUTPUT_FORMATS = (".jsonl", ".csv", ".parquet")


def passage_scores(classifier, texts: list[str]) -> np.ndarray:
    """What an engine sends back for passages: the label probabilities and, for a checkpoint with
    a technique head, the technique probabilities beside them, [n, C + K] (one small array)."""
    probabilities, _, techniques = classifier.predict_passages(texts, with_words=False)
    return probabilities if techniques is None else np.concatenate([probabilities, techniques], axis=1)


def _split(classifier, scores: np.ndarray) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """passage_scores' array back into label probabilities [n, C] and technique ones [n, K] or None."""
    labels = len(classifier.labels)
    return scores[:, :labels], (scores[:, labels:] if scores.shape[1] > labels else None)


def frame_records(frame: pd.DataFrame, classifier, scores: np.ndarray, keep_columns: list[str]) -> list[dict]:
    """JSON-lines rows: the input's row number (framing.data.row_numbers), the kept input
    columns, then the classifier's record of each row of passage_scores."""
    records = classifier.results.records(*_split(classifier, scores))
    return [
        {"row": number, **kept, **record}
        for number, kept, record in zip(row_numbers(frame), kept_records(frame, keep_columns), records)
    ]


def frame_table(frame: pd.DataFrame, classifier, scores: np.ndarray, kept: pd.DataFrame) -> pd.DataFrame:
    """CSV and Parquet rows: the same columns, flat (`scores.<label>`, `techniques.<technique>`),
    from the array at once; `kept` is framing.kept_columns.kept_table of the chunk."""
    results = classifier.results.table(*_split(classifier, scores))
    return pd.concat([pd.DataFrame({"row": row_numbers(frame)}), kept, results], axis=1)


def check_output_format(output_path: str | Path) -> Path:
    output = Path(output_path)
    if output.suffix.lower() not in OUTPUT_FORMATS:
        raise FramingError(
            f"{output}: unknown output format '{output.suffix}' (expected one of {', '.join(OUTPUT_FORMATS)})"
        )
    if output.suffix.lower() == ".parquet":
        require_parquet(output)
    return output


def write_records(target: Path, rows: list[dict] | pd.DataFrame) -> None:
    """Output rows in the format `target`'s suffix names, under a temporary name renamed when
    complete: JSON lines from records, CSV and Parquet from a table (records are flattened to
    `scores.<label>` columns; a multi-label record's labels, marked words and a table's
    technique names joined with "|")."""
    kind = target.suffix.lower()
    with atomic_file(target) as staging:
        if kind == ".jsonl":
            staging.write_text("".join(json_line(r) for r in rows), encoding="utf-8")
            return
        tabular = isinstance(rows, pd.DataFrame)  # a corpus job's: its `techniques` are names
        table = rows if tabular else pd.json_normalize(rows)
        if kind == ".csv":
            # a CSV cell holds a list of names joined by "|" (a record's techniques, with their
            # probabilities, are written as they are)
            for column in ("labels", "words") + (("techniques",) if tabular else ()):
                if column in table.columns:
                    table[column] = table[column].map(lambda v: "|".join(v) if isinstance(v, list) else v)
            table.to_csv(staging, index=False)
        else:
            table.to_parquet(staging, index=False)


def json_line(record: dict) -> str:
    """One strict JSON line: empty cells are null (never NaN), numpy scalars plain numbers."""
    return json.dumps(record, ensure_ascii=False, default=str, allow_nan=False) + "\n"


def join_parquet(parts: list[Path], target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A kept column that is empty in one chunk has type null there: unify the part schemas.
    try:
        schema = pa.unify_schemas([pq.read_schema(p) for p in parts], promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid) as error:  # one line, and the parts stay for a fix
        raise FramingError(
            f"{target.parent}: the scored parts do not share one column type "
            f"({str(error).splitlines()[0]}); they are kept in the partial folder"
        ) from None
    schema = schema.remove_metadata()
    with pq.ParquetWriter(target, schema) as writer:
        for part in parts:
            writer.write_table(pq.read_table(part).replace_schema_metadata(None).select(schema.names).cast(schema))


def print_jsonl(records: list[dict]) -> None:
    for record in records:
        sys.stdout.write(json_line(record))
    sys.stdout.flush()
