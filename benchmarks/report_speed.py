"""How long `framing report` takes over a scored corpus of about a million sentence rows.

Builds a synthetic file in the layout `framing predict --articles` writes (framing.corpus_articles):
`--articles` articles of 30 sentences over 70 outlets and nine years, a quarter of the sentences
flagged with one or two marked words from a vocabulary of 2,000, then times `write_report` by
outlet and by year, and prints seconds and peak memory.

    python benchmarks/report_speed.py --articles 33000 --output runs/report-speed
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from framing.corpus_articles import FORMAT
from framing.report import write_report

SENTENCES = 30


def synthetic_scored(articles: int, seed: int = 0) -> pd.DataFrame:
    """Article and sentence rows, built as columns (a million dicts would time the builder)."""
    rng = np.random.default_rng(seed)
    outlets = np.array([f"outlet {i:02d}" for i in range(70)])[rng.integers(0, 70, articles)]
    dates = pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 9 * 365, articles), unit="D")
    flags = rng.random((articles, SENTENCES)) < rng.uniform(0.1, 0.4, (articles, 1))
    quoted = rng.random((articles, SENTENCES)) < 0.15
    vocabulary = np.array([f"word{i}" for i in range(2000)])
    rows = np.repeat(np.arange(1, articles + 1), SENTENCES + 1)
    level = np.tile(["article"] + ["sentence"] * SENTENCES, articles)
    is_article = level == "article"
    frame = pd.DataFrame(
        {
            "row": rows,
            "layout": FORMAT,
            "model": "synthetic",
            "level": level,
            "outlet": np.repeat(outlets, SENTENCES + 1),
            "date": np.repeat(dates.strftime("%Y-%m-%d"), SENTENCES + 1),
        }
    )
    frame["sentence"] = pd.array(np.where(is_article, -1, np.tile(np.arange(-1, SENTENCES), articles)), dtype="Int64")
    frame.loc[is_article, "sentence"] = pd.NA
    counts = {
        "sentences": np.full(articles, SENTENCES),
        "author_voice_sentences": (~quoted).sum(1),
        "author_voice_editorializing": (flags & ~quoted).sum(1),
        "quoted_sentences": quoted.sum(1),
        "quoted_editorializing": (flags & quoted).sum(1),
        "mean_probability": flags.mean(1) * 0.6 + 0.2,
    }
    for name, values in counts.items():
        column = pd.Series(pd.NA, index=frame.index, dtype="Float64" if name == "mean_probability" else "Int64")
        column[is_article] = values
        frame[name] = column
    sentence_flags, sentence_quoted = flags.ravel(), quoted.ravel()
    words = [list(rng.choice(vocabulary, 1 + (i % 2))) if f else [] for i, f in enumerate(sentence_flags)]
    for name, values in {
        "text": np.full(len(sentence_flags), "A sentence of an article about something."),
        "score": np.where(sentence_flags, 0.8, 0.85),
        "flagged": sentence_flags,
        "quoted": sentence_quoted,
        "words": words,
    }.items():
        column = pd.Series([None] * len(frame), dtype=object)
        column[~is_article] = list(values)
        frame[name] = column
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=33000)
    parser.add_argument("--output", default="runs/report-speed")
    args = parser.parse_args()
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    scored = folder / "scored.parquet"
    synthetic_scored(args.articles).to_parquet(scored, index=False)
    print(
        f"{args.articles:,} articles, {args.articles * SENTENCES:,} sentence rows, "
        f"{scored.stat().st_size / 1e6:.1f} MB on disk"
    )
    for by, options in (("outlet", {"time": "date", "freq": "year"}),):
        shutil.rmtree(folder / "report", ignore_errors=True)
        start = time.perf_counter()
        write_report(scored, folder / "report", by, **options)
        print(f"framing report --by {by} --time date --freq year: {time.perf_counter() - start:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (building the file included): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
