"""A distillation pool: unlabelled news sentences for a teacher to score and a student to learn from.

Top to bottom: read articles (one file or several, e.g. AllSides articles and anno-lexical's
sentences) -> split each into sentences with the product's splitter
(framing.segment, the one `analyze` uses) -> drop boilerplate and sentences of the labelled
data (so no dev or test sentence leaks in through the teacher) -> sample, balanced over outlets
and, within each outlet, over topics and years -> write a Parquet file in a random order, so
that its first N rows are themselves a balanced pool of size N (pool-size studies take
prefixes: `distill.max_examples`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from framing.data import read_table, require_columns
from framing.errors import FramingError
from framing.output import atomic_file, ensure_writable
from framing.segment import sentence_spans

MIN_WORDS, MAX_WORDS = 4, 80  # short sentences stay ("He resigned."); longer runs are extraction debris
PER_ARTICLE = 12  # at most this many sentences of one article, so one long piece cannot dominate

# Page furniture, not reporting: credits, calls to action, bylines, datelines alone, links.
BOILERPLATE = re.compile(
    r"(photo|image|video|illustration)\s*(credit|courtesy|by|:)|\(\s*(ap|reuters|getty)[^)]*photo|getty images"
    r"|read more|click here|sign up|subscribe|newsletter|become a member|becoming a member|inside access"
    r"|follow (us|him|her|them) on|share this|all rights reserved"
    r"|copyright|©|https?://|www\.|@\w+\.\w+|^advertisement$|^related:|^updated?:|^(by|posted|published) ",
    re.IGNORECASE,
)
ENDS_LIKE_A_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")


def normalized(text: str) -> str:
    """Case, quote style and spacing folded, for matching sentences across sources."""
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def is_sentence(text: str) -> bool:
    """Prose worth teaching from: a whole sentence of 4-80 words, not page furniture."""
    words = len(text.split())
    return (
        MIN_WORDS <= words <= MAX_WORDS
        and ENDS_LIKE_A_SENTENCE.search(text) is not None
        and re.search(r"[a-z]", text) is not None
        and BOILERPLATE.search(text) is None
    )


def article_sentences(articles: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """Every kept sentence of every article, with the article's row and its metadata columns."""
    rows = []
    meta = [c for c in ("outlet", "topic", "date", "id") if c in articles.columns]
    for row, record in zip(articles.index, articles.to_dict("records")):
        text = record[text_column]
        if not isinstance(text, str):
            continue
        kept = [text[s:e] for s, e in sentence_spans(text)]
        kept = [re.sub(r"\s+", " ", s) for s in kept if is_sentence(s)]
        for position, sentence in enumerate(kept):
            rows.append(
                {"text": sentence, "article_row": int(row) + 1, "position": position, **{c: record[c] for c in meta}}
            )
    return pd.DataFrame(rows)


def balanced_sample(sentences: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """`size` sentences: outlets share the pool equally (an outlet with fewer sentences gives
    its share to the rest), and within an outlet each (topic, year) stratum weighs the same."""
    rng = np.random.default_rng(seed)
    outlets = sentences.groupby("outlet").size().sort_values()
    quota, left, remaining = {}, size, len(outlets)
    for outlet, available in outlets.items():  # water-filling, smallest outlets first
        quota[outlet] = min(available, left // remaining)
        left -= quota[outlet]
        remaining -= 1
    picked = []
    for outlet, group in sentences.groupby("outlet"):
        strata = group["topic"].astype(str) + "|" + group["date"].astype(str).str[:4]
        weights = 1.0 / strata.map(strata.value_counts()).to_numpy(dtype=float)
        chosen = rng.choice(len(group), size=quota[outlet], replace=False, p=weights / weights.sum())
        picked.append(group.iloc[chosen])
    pool = pd.concat(picked)
    return pool.iloc[rng.permutation(len(pool))].reset_index(drop=True)


def build_pool(
    articles_paths: str | Iterable[str],
    output: str | Path,
    size: int,
    exclude: Iterable[str] = (),
    seed: int = 0,
    overwrite: bool = False,
    text_column: str = "text",
) -> dict:
    """Write a pool of `size` sentences to `output` (Parquet); returns counts for the record.
    Several article files pool their sentences (a `source` column names each one's file, or its
    path where two files share a name), and the sample is balanced over the outlets of all of them."""
    output = Path(output)
    if output.suffix.lower() != ".parquet":
        raise FramingError(f"{output}: the pool is written as Parquet; name it .parquet")
    ensure_writable(output, overwrite)
    paths = [articles_paths] if isinstance(articles_paths, (str, Path)) else list(articles_paths)
    articles = [_read_articles(path, text_column) for path in paths]
    # an article's sentence cap is keyed by its file's position, never by a name two files could share
    per_file = [
        article_sentences(frame, text_column).assign(source=name) for name, frame in zip(_source_names(paths), articles)
    ]
    file_of = np.concatenate([np.full(len(frame), i) for i, frame in enumerate(per_file)])
    sentences = pd.concat(per_file, ignore_index=True)
    found = len(sentences)
    sentences = sentences[sentences.groupby([file_of, sentences["article_row"]]).cumcount() < PER_ARTICLE]
    keys = sentences["text"].map(normalized)
    labelled = {normalized(t) for source in exclude for t in read_table(source)["text"].dropna().astype(str)}
    leaked = keys.isin(labelled)
    sentences = sentences[~leaked & ~keys.duplicated()]
    if len(sentences) < size:
        raise FramingError(f"{', '.join(map(str, paths))}: only {len(sentences)} usable sentences for a pool of {size}")
    pool = balanced_sample(sentences.fillna(""), size, seed)
    with atomic_file(output) as staging:
        pool.to_parquet(staging, index=False)
    return {
        "articles": sum(map(len, articles)),
        "sentences_found": found,
        "labelled_sentences_removed": int(leaked.sum()),
        "usable": len(sentences),
        "pool": len(pool),
        "outlets": int(pool["outlet"].nunique()),
        "by_source": pool["source"].value_counts().to_dict(),
    }


def _source_names(paths: list[str | Path]) -> list[str]:
    """Each file's name, or the path as given where two files share a name, so that the
    pool's `source` column tells them apart."""
    names = [Path(path).name for path in paths]
    return [name if names.count(name) == 1 else str(path) for name, path in zip(names, paths)]


def _read_articles(path: str, text_column: str) -> pd.DataFrame:
    articles = read_table(path)
    require_columns(articles, [text_column, "outlet"], path)
    for column in ("topic", "date"):
        if column not in articles.columns:
            articles[column] = ""
    return articles
