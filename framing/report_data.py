"""Reading what `framing predict --articles` wrote, for `framing report`: the article rows and
the sentence rows, checked to come from one model and one layout, filtered, with dates parsed
where they parse and the others counted and named."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from framing.corpus_articles import FORMAT
from framing.errors import FramingError

ARTICLE_NEEDS = [
    "row",
    "level",
    "layout",
    "model",
    "sentences",
    "author_voice_sentences",
    "author_voice_editorializing",
    "quoted_sentences",
    "quoted_editorializing",
    "mean_probability",
]
SENTENCE_NEEDS = ["row", "level", "sentence", "text", "score", "flagged", "quoted", "words"]
# An article row's count of writer's-voice sentences using a technique (CSV and Parquet; JSON
# lines hold the counts in the row's `techniques` mapping), in a file scored with a technique head
VOICE_COUNTS = "techniques.author_voice."
# Dates a report reads without being told the format: ISO 8601 (2019-03-07, with a time or
# not), then US month/day/year (3/7/19, 03/07/2019) as the AllSides corpus writes some.
DATE_FORMATS = ("ISO8601", "%m/%d/%y", "%m/%d/%Y")
FREQUENCIES = {"month": "M", "quarter": "Q", "year": "Y"}


@dataclass
class ScoredCorpus:
    articles: pd.DataFrame  # one row per analyzed article
    sentences: pd.DataFrame  # one row per sentence: row (its article), text, score, flagged, quoted, words
    model: str
    notes: list[str] = field(default_factory=list)  # what was left out, in words
    # per technique, each article's writer's-voice sentences using it (an `articles` column
    # VOICE_COUNTS + name); JSON lines name only techniques some article's writer used
    techniques: list[str] = field(default_factory=list)
    technique_head: bool = False  # scored by a model with a technique head


def read_scored(
    path: str | Path,
    by: str,
    time: Optional[str] = None,
    filters: Sequence[str] = (),
    link: Optional[str] = None,
    title: Optional[str] = None,
) -> ScoredCorpus:
    """The article and sentence rows of a scored file, restricted to `filters`
    ("COLUMN=VALUE", all must hold)."""
    path = Path(path)
    conditions = [_condition(f) for f in filters]
    wanted = [by] + ([time] if time else []) + [c for c, _ in conditions] + [c for c in (link, title) if c]
    counted = _technique_columns(path)
    frame = _read(path, list(dict.fromkeys(ARTICLE_NEEDS + SENTENCE_NEEDS + wanted + counted)), wanted)
    models = sorted(frame["model"].dropna().unique())
    if len(models) > 1:
        raise FramingError(
            f"{path}: rows from {len(models)} models ({'; '.join(models[:3])}); a report reads one "
            f"model's scores: score the corpus again with one"
        )
    layouts = sorted(frame["layout"].dropna().unique())
    if layouts != [FORMAT]:
        raise FramingError(
            f"{path}: written as {', '.join(layouts) or 'no layout'}, this version reads {FORMAT}; "
            f"score the corpus again with this version's framing predict --articles"
        )
    for column, value in conditions:
        frame = frame[frame[column].astype(str) == value]
    if frame.empty:
        raise FramingError(f"{path}: no rows left after {' and '.join(filters)}" if filters else f"{path}: no rows")
    articles = frame[frame["level"] == "article"]
    sentences = frame[frame["level"] == "sentence"][SENTENCE_NEEDS].drop(columns="level")
    sentences = sentences.assign(flagged=_flags(sentences["flagged"]), quoted=_flags(sentences["quoted"]))
    notes = _unanalyzed(articles, path)
    articles, techniques = _technique_counts(articles[articles["sentences"].fillna(0) > 0], counted)
    return ScoredCorpus(
        articles.reset_index(drop=True),
        sentences.reset_index(drop=True),
        models[0] if models else "",
        notes,
        techniques,
        technique_head=bool(counted),
    )


def _technique_columns(path: Path) -> list[str]:
    """The columns that hold technique counts: CSV and Parquet a VOICE_COUNTS column per
    technique, JSON lines the `techniques` key; none without a technique head."""
    present = scored_columns(path)
    if path.suffix.lower() == ".jsonl":
        return ["techniques"] if "techniques" in present else []
    return [c for c in present if c.startswith(VOICE_COUNTS)]


def _technique_counts(articles: pd.DataFrame, counted: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The articles with a VOICE_COUNTS column per technique (integers; a JSON line's mapping
    names only the techniques it found), and the techniques' names."""
    if counted == ["techniques"]:
        voice = [t.get("author_voice") or {} if isinstance(t, dict) else {} for t in articles["techniques"]]
        found = pd.DataFrame(voice, index=articles.index).fillna(0)
        articles = articles.drop(columns="techniques").join(found.add_prefix(VOICE_COUNTS))
        counted = [VOICE_COUNTS + name for name in found.columns]
    articles = articles.astype({column: "int64" for column in counted})
    return articles, [column.removeprefix(VOICE_COUNTS) for column in counted]


def _flags(column: pd.Series) -> pd.Series:
    """A flag column as read back from Parquet (bool), CSV ("True") or JSON lines (true)."""
    if column.dtype == bool:
        return column
    return column.astype("string").str.strip().str.lower().eq("true").fillna(False).astype(bool)


def _condition(text: str) -> tuple[str, str]:
    column, equals, value = text.partition("=")
    if not equals or not column:
        raise FramingError(f"--filter {text}: expected COLUMN=VALUE")
    return column, value


def scored_columns(path: Path) -> list[str]:
    """The columns of a scored file, from its schema, header or first lines (nothing else is read)."""
    if not path.is_file():
        raise FramingError(f"{path}: no such file")
    kind = path.suffix.lower()
    if kind == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_schema(path).names
    if kind == ".csv":
        return list(pd.read_csv(path, nrows=0).columns)
    if kind == ".jsonl":
        return _jsonl_keys(path)
    raise FramingError(f"{path}: expected the .parquet, .csv or .jsonl output of framing predict --articles")


def _jsonl_keys(path: Path) -> list[str]:
    """The keys of a JSON-lines file's first article row and first sentence row: each row has
    its own (an article row has no `text`), so the first line alone does not name them all.
    Reading stops at a row with no `level` (not an article job's output) or at both levels."""
    keys: dict[str, None] = {}
    levels: set = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            keys.update(dict.fromkeys(record))
            levels.add(record.get("level") if isinstance(record, dict) else None)
            if None in levels or {"article", "sentence"} <= levels:
                break
    return list(keys)


def _read(path: Path, columns: list[str], wanted: list[str]) -> pd.DataFrame:
    """The columns a report needs; a missing one refused by name, with the columns there are."""
    present = scored_columns(path)
    kind = path.suffix.lower()
    _require(path, present, wanted, columns)
    if kind == ".parquet":
        return pd.read_parquet(path, columns=columns)
    if kind == ".csv":
        frame = pd.read_csv(
            path,
            usecols=columns,
            dtype={c: str for c in wanted},
            keep_default_na=False,
            na_values={c: [""] for c in columns if c not in wanted},
        )
        frame["words"] = frame["words"].map(lambda v: v.split("|") if isinstance(v, str) and v else [])
        return frame
    return pd.read_json(path, lines=True, dtype={c: str for c in wanted})[columns]


def _require(path: Path, present: list[str], wanted: list[str], columns: list[str]) -> None:
    missing = [c for c in wanted if c not in present]
    if missing:
        shown = [c for c in present if c not in columns] or present
        raise FramingError(
            f"{path}: no column {', '.join(missing)} (its columns beside the scores: {', '.join(shown[:20])})"
        )
    layout = [c for c in ARTICLE_NEEDS + SENTENCE_NEEDS if c not in present]
    if layout:
        raise FramingError(
            f"{path}: not the output of framing predict --articles (no column "
            f"{', '.join(dict.fromkeys(layout))}); score the corpus with --articles first"
        )


def _unanalyzed(articles: pd.DataFrame, path: Path) -> list[str]:
    failed = articles[articles["sentences"].fillna(0) <= 0]
    if failed.empty:
        return []
    return [
        f"{len(failed)} article(s) of {path.name} could not be analyzed and are left out "
        f"(rows {', '.join(str(r) for r in failed['row'].head(5))})"
    ]


def add_periods(corpus: ScoredCorpus, time: str, freq: str, date_format: Optional[str] = None) -> None:
    """A `period` column on the articles (month, quarter or year of `time`); articles whose
    date is empty or does not parse are left out and counted in `corpus.notes`, never guessed."""
    if freq not in FREQUENCIES:
        raise FramingError(f"--freq {freq}: expected one of {', '.join(FREQUENCIES)}")
    values = corpus.articles[time]
    dates = parse_dates(values, date_format)
    empty = values.isna() | (values.astype(str).str.strip() == "")
    bad = dates.isna() & ~empty
    if empty.any():
        corpus.notes.append(f"{int(empty.sum())} article(s) with no {time} are left out of the figures over time")
    if bad.any():
        shown = ", ".join(f"row {r}: {v!r}" for r, v in zip(corpus.articles["row"][bad].head(3), values[bad].head(3)))
        formats = date_format or "ISO 8601 or month/day/year"
        corpus.notes.append(
            f"{int(bad.sum())} article(s) whose {time} is not a date ({formats}) are left out of "
            f"the figures over time ({shown})"
        )
    corpus.articles["period"] = dates.dt.to_period(FREQUENCIES[freq])


def parse_dates(values: pd.Series, date_format: Optional[str] = None) -> pd.Series:
    """Each value as a date in the first format it parses in whole (NaT where none does)."""
    text = values.astype("string").str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in [date_format] if date_format else DATE_FORMATS:
        left = parsed.isna() & text.notna() & (text != "")
        if not left.any():
            break
        attempt = pd.to_datetime(text[left], format=fmt, errors="coerce", utc=True).dt.tz_localize(None)
        parsed[left] = attempt.astype("datetime64[ns]")
    return parsed
