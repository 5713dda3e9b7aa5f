"""`framing report`: a scored corpus (`framing predict --articles`) read by outlet, topic or any
column, over time, with the words that set each group apart.

    from framing.report import report_tables
    tables = report_tables("scored.parquet", by="outlet", time="date", freq="year")
    tables["groups"]       # per group: articles, sentences, shares with 95% intervals, rank
    tables["over_time"]    # per group and period: the writer's-voice share with its interval
    tables["words"]        # per group: marked words it uses more than the others (log-odds z)
    tables["techniques"]   # per group and persuasion technique: its share of writer's-voice sentences
    tables["articles"]     # per group: the most and least editorializing articles
    tables["examples"]     # per group: its most editorializing sentences in the writer's voice

`write_report` writes the same tables as CSV, the plots as PNG and SVG and an index.html that
opens offline (framing.report_html). The statistics are in framing.report_stats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from framing.errors import FramingError
from framing.output import atomic_folder
from framing.report_data import ScoredCorpus, add_periods, read_scored, scored_columns
from framing.report_stats import distinctive_words, extreme_articles, group_shares, shares_over_time, technique_shares

MIN_ARTICLES = 20  # a group with fewer articles is shown, flagged, and never ranked
MAX_LINES = 6  # lines over time; the other groups pooled as "other"
LINK_COLUMNS = ("url", "link")
TITLE_COLUMNS = ("title", "headline")


def report_tables(
    scored: str | Path,
    by: str,
    time: Optional[str] = None,
    freq: str = "month",
    filters: Sequence[str] = (),
    min_articles: int = MIN_ARTICLES,
    date_format: Optional[str] = None,
) -> dict[str, pd.DataFrame]:
    """The report's tables as DataFrames (see the module's docstring), and `notes`: one row
    per thing the figures leave out or cannot tell."""
    tables, _ = _tables(scored, by, time, freq, filters, min_articles, date_format)
    return tables


def write_report(
    scored: str | Path,
    output: str | Path,
    by: str,
    time: Optional[str] = None,
    freq: str = "month",
    filters: Sequence[str] = (),
    min_articles: int = MIN_ARTICLES,
    date_format: Optional[str] = None,
    overwrite: bool = False,
) -> dict[str, pd.DataFrame]:
    """Write the report folder (index.html, tables as CSV, plots as PNG and SVG), complete or
    not at all; returns the tables."""
    from framing.report_html import write_figures, write_index  # matplotlib: only when writing

    tables, about = _tables(scored, by, time, freq, filters, min_articles, date_format)
    with atomic_folder(output, overwrite, kind="report") as folder:
        for name, table in tables.items():
            table.to_csv(folder / f"{name}.csv", index=False)
        figures = write_figures(tables, by, folder)
        write_index(tables, about, figures, folder)
    return tables


def _tables(scored, by, time, freq, filters, min_articles, date_format) -> tuple[dict[str, pd.DataFrame], dict]:
    if min_articles < 1:
        raise FramingError(f"--min-articles {min_articles}: must be at least 1")
    link, title = _optional_column(scored, LINK_COLUMNS), _optional_column(scored, TITLE_COLUMNS)
    corpus = read_scored(scored, by, time, filters, link, title)
    corpus.articles[by] = corpus.articles[by].fillna("(none)").astype(str)
    if time:
        add_periods(corpus, time, freq, date_format)
    groups = group_shares(corpus.articles, by, min_articles)
    names = list(groups[by])
    tables = {
        "groups": groups,
        "over_time": (
            shares_over_time(corpus.articles.dropna(subset=["period"]), by, "period", min_articles, MAX_LINES)
            if time
            else pd.DataFrame()
        ),
        "words": distinctive_words(_marked_words(corpus, by), by, names),
        "techniques": technique_shares(corpus.articles, by, names, corpus.techniques),
        "articles": extreme_articles(corpus.articles, by, names, link=link, title=title),
        "examples": _examples(corpus, by, names),
        "notes": pd.DataFrame({"note": corpus.notes + _small_groups(groups, by, min_articles)}),
    }
    about = {
        "scored": str(scored),
        "by": by,
        "time": time,
        "freq": freq,
        "filters": list(filters),
        "model": corpus.model,
        "min_articles": min_articles,
        "link": link,
        "title": title,
        "articles": len(corpus.articles),
        "sentences": int(corpus.articles["sentences"].sum()),
        "techniques": corpus.technique_head,
    }
    return tables, about


def _optional_column(scored, candidates: Sequence[str]) -> Optional[str]:
    """The first of `candidates` the scored file has (kept from the input), if any."""
    names = scored_columns(Path(scored))
    return next((c for c in candidates if c in names), None)


def _writer_voice(corpus: ScoredCorpus, by: str) -> pd.DataFrame:
    """Sentences in the writer's voice, with their article's group."""
    sentences = corpus.sentences[~corpus.sentences["quoted"]]
    return sentences.merge(corpus.articles[["row", by]], on="row", how="inner")


def _marked_words(corpus: ScoredCorpus, by: str) -> pd.DataFrame:
    """One row per word marked in a writer's-voice sentence, lower-cased, with its group."""
    words = _writer_voice(corpus, by)[[by, "words"]].explode("words").dropna(subset=["words"])
    return pd.DataFrame({by: words[by].to_numpy(), "word": words["words"].astype(str).str.lower().to_numpy()})


def _examples(corpus: ScoredCorpus, by: str, groups: Sequence[str], per_group: int = 3) -> pd.DataFrame:
    """Per group, its most confidently editorializing sentences in the writer's voice."""
    voice = _writer_voice(corpus, by)
    flagged = voice[voice["flagged"]]
    top = flagged.sort_values(["score", "row", "sentence"], ascending=[False, True, True]).groupby(by).head(per_group)
    top = top.assign(words=top["words"].map(lambda w: "|".join(w) if isinstance(w, list) else ""))
    order = {group: i for i, group in enumerate(groups)}
    top = top.sort_values([by, "score"], key=lambda c: c.map(order) if c.name == by else -c)
    return top[[by, "row", "sentence", "text", "score", "words"]].reset_index(drop=True)


def _small_groups(groups: pd.DataFrame, by: str, min_articles: int) -> list[str]:
    few = groups[~groups["enough_articles"]]
    if few.empty:
        return []
    return [
        f"{len(few)} {by} group(s) with fewer than {min_articles} articles are shown but not ranked "
        f"(too few articles for a stable share)"
    ]
