"""The statistics of `framing report`: shares with intervals that respect articles, and the
words that set a group apart.

Sentences of one article are not independent (one writer, one topic, one style), so an
interval over sentences is too narrow. A share here is a ratio of sums over articles
(editorializing sentences / sentences), and its 95% interval comes from resampling whole
articles (the cluster bootstrap). Marked words are compared across groups with weighted
log-odds and an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin'
Words", eq. 22): a word's z-score is large only when its rate differs by more than its count
can explain, so a rare word used twice by one group does not top the list.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Optional

import numpy as np
import pandas as pd

from framing.report_data import VOICE_COUNTS

BOOTSTRAP_SAMPLES = 2000
SEED = 0  # a report of the same file is the same report


def share_interval(
    numerators: np.ndarray, denominators: np.ndarray, samples: int = BOOTSTRAP_SAMPLES, seed: int = SEED
) -> tuple[float, float, float]:
    """Ratio of sums (Σ numerators / Σ denominators, one entry per article) and its 95%
    percentile interval, resampling articles with replacement. NaN where there is nothing."""
    numerators = np.asarray(numerators, dtype=float)
    denominators = np.asarray(denominators, dtype=float)
    total = denominators.sum()
    if total <= 0:
        return float("nan"), float("nan"), float("nan")
    share = numerators.sum() / total
    rng = np.random.default_rng(seed)
    n = len(denominators)
    # Resample b draws n article indices ([block, n] at a time, so memory stays about 8 MB a
    # block whatever the group's size); drawing indices is about 3x faster than multinomial counts.
    block = max(1, min(samples, 1_000_000 // max(n, 1)))
    sums = []
    for start in range(0, samples, block):
        drawn_articles = rng.integers(0, n, size=(min(block, samples - start), n), dtype=np.int32)
        sums.append((numerators[drawn_articles].sum(1), denominators[drawn_articles].sum(1)))
    tops, drawn = np.concatenate([t for t, _ in sums]), np.concatenate([d for _, d in sums])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = tops / drawn
    ratios = ratios[drawn > 0]  # a resample of articles without sentences of this kind says nothing
    low, high = np.percentile(ratios, [2.5, 97.5]) if len(ratios) else (float("nan"), float("nan"))
    return float(share), float(low), float(high)


def group_shares(articles: pd.DataFrame, by: str, min_articles: int) -> pd.DataFrame:
    """One row per group of `articles` (one row per article, with the article-row counts of
    framing.corpus_articles): its size, the writer's-voice and quoted editorializing shares
    with intervals, the mean probability, and whether it has enough articles to be ranked."""
    rows = []
    for group, part in articles.groupby(by, sort=False, dropna=False):
        voice = share_interval(part["author_voice_editorializing"], part["author_voice_sentences"])
        quoted = share_interval(part["quoted_editorializing"], part["quoted_sentences"])
        sentences = part["sentences"].sum()
        rows.append(
            {
                by: group,
                "articles": len(part),
                "sentences": int(sentences),
                "author_voice_share": voice[0],
                "author_voice_low": voice[1],
                "author_voice_high": voice[2],
                "quoted_share": quoted[0],
                "quoted_low": quoted[1],
                "quoted_high": quoted[2],
                "mean_probability": float((part["mean_probability"] * part["sentences"]).sum() / sentences)
                if sentences
                else float("nan"),
                "enough_articles": len(part) >= min_articles,
            }
        )
    table = pd.DataFrame(rows)
    # ranked groups first, most editorializing first; groups with too few articles after, by size
    ranked = table[table["enough_articles"]].sort_values("author_voice_share", ascending=False)
    few = table[~table["enough_articles"]].sort_values("articles", ascending=False)
    table = pd.concat([ranked, few], ignore_index=True)
    table.insert(1, "rank", pd.array([i + 1 for i in range(len(ranked))] + [None] * len(few), dtype="Int64"))
    return table


def technique_shares(articles: pd.DataFrame, by: str, groups: list[str], techniques: list[str]) -> pd.DataFrame:
    """Per group (in `groups`' order) and technique: the writer's-voice sentences using it and
    their share of the group's writer's-voice sentences with its interval, most used first.
    `articles` holds each article's count per technique (framing.report_data.VOICE_COUNTS)."""
    rows = []
    for group, part in articles.groupby(by, sort=False, dropna=False):
        for name in techniques:
            share, low, high = share_interval(part[VOICE_COUNTS + name], part["author_voice_sentences"])
            rows.append(
                {by: group, "technique": name, "sentences": int(part[VOICE_COUNTS + name].sum()), "share": share}
                | {"low": low, "high": high}
            )
    table = pd.DataFrame(rows, columns=[by, "technique", "sentences", "share", "low", "high"])
    order = table[by].map({group: i for i, group in enumerate(groups)})
    return table.assign(order=order).sort_values(["order", "share"], ascending=[True, False]).drop(columns="order")


def shares_over_time(articles: pd.DataFrame, by: str, period: str, min_articles: int, max_lines: int) -> pd.DataFrame:
    """The writer's-voice share per period and group with its interval. The `max_lines`
    largest groups keep their name; the others are pooled as "other"."""
    largest = articles[by].value_counts().index[:max_lines]
    lines = articles[by].where(articles[by].isin(largest), "other")
    rows = []
    for (line, when), part in articles.groupby([lines, articles[period]], sort=True):
        share, low, high = share_interval(part["author_voice_editorializing"], part["author_voice_sentences"])
        rows.append(
            {
                by: line,
                "period": str(when),
                "articles": len(part),
                "author_voice_share": share,
                "low": low,
                "high": high,
                "enough_articles": len(part) >= min_articles,
            }
        )
    return pd.DataFrame(
        rows, columns=[by, "period", "articles", "author_voice_share", "low", "high", "enough_articles"]
    )


def log_odds(counts_here: Counter, counts_elsewhere: Counter, prior_strength: float = 1000.0) -> pd.DataFrame:
    """Weighted log-odds of each word in one group against the rest, with an informative
    Dirichlet prior whose mean is the word's share of the whole corpus and whose total is
    `prior_strength` words (alpha_w = prior_strength * y_w / n). Columns: word, count here,
    count elsewhere, delta (log-odds ratio), z (delta over its standard deviation)."""
    words = sorted(set(counts_here) | set(counts_elsewhere))
    here = np.array([counts_here.get(w, 0) for w in words], dtype=float)
    there = np.array([counts_elsewhere.get(w, 0) for w in words], dtype=float)
    n_here, n_there = here.sum(), there.sum()
    total = here + there
    alpha = prior_strength * total / total.sum()
    alpha0 = alpha.sum()
    with np.errstate(divide="ignore", invalid="ignore"):  # a vocabulary of one word has no odds
        delta = np.log((here + alpha) / (n_here + alpha0 - here - alpha)) - np.log(
            (there + alpha) / (n_there + alpha0 - there - alpha)
        )
    variance = 1.0 / (here + alpha) + 1.0 / (there + alpha)
    table = pd.DataFrame(
        {
            "word": words,
            "count": here.astype(int),
            "count_elsewhere": there.astype(int),
            "delta": delta,
            "z": delta / np.sqrt(variance),
        }
    )
    return table[np.isfinite(table["z"])].reset_index(drop=True)


def distinctive_words(
    words: pd.DataFrame, by: str, groups: Iterable, top: int = 15, min_count: int = 3, prior_strength: float = 1000.0
) -> pd.DataFrame:
    """Per group, the `top` marked words it uses more than the other groups (highest z), among
    words it uses at least `min_count` times. `words`: one row per marked word, columns `by`
    and `word` (lower-cased)."""
    per_group = {group: Counter(part["word"]) for group, part in words.groupby(by, sort=False)}
    everything = Counter(words["word"])
    tables = []
    for group in groups:
        here = per_group.get(group, Counter())
        if not here:
            continue
        table = log_odds(here, everything - here, prior_strength)
        table = table[table["count"] >= min_count].nlargest(top, "z")
        tables.append(table.assign(**{by: group}))
    columns = [by, "word", "count", "count_elsewhere", "delta", "z"]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(columns=columns)


def extreme_articles(
    articles: pd.DataFrame,
    by: str,
    groups: Iterable,
    per_group: int = 3,
    min_sentences: int = 5,
    link: Optional[str] = None,
    title: Optional[str] = None,
) -> pd.DataFrame:
    """Per group, the most and the least editorializing articles in the writer's voice (among
    articles with at least `min_sentences` such sentences, so one-line items do not top it)."""
    keep = [c for c in ("row", title, link) if c]
    scored = articles[articles["author_voice_sentences"] >= min_sentences].assign(
        author_voice_share=lambda a: a["author_voice_editorializing"] / a["author_voice_sentences"]
    )
    scored = scored[[by, *keep, "author_voice_share", "sentences"]].astype({"sentences": int})
    order = scored.sort_values(["author_voice_share", "row"], ascending=[False, True])
    most = order.groupby(by, sort=False).head(per_group).assign(which="most")
    least = order.iloc[::-1].groupby(by, sort=False).head(per_group).assign(which="least")
    rank = {group: i for i, group in enumerate(groups)}
    table = pd.concat([most, least]).loc[lambda t: t[by].isin(rank)]
    table = table.assign(_group=table[by].map(rank), _least=table["which"] == "least")
    table = table.sort_values(["_group", "_least"], kind="stable").drop(columns=["_group", "_least"])
    return table[[by, "which", *keep, "author_voice_share", "sentences"]].reset_index(drop=True)
