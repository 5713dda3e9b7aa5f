"""The pages of `framing report`: plots (matplotlib, PNG and SVG) and one index.html that opens
offline: the SVG plots are inline, no script, no font or stylesheet from elsewhere."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

PLOTTED_GROUPS = 25  # bars in the group plot: the ranked groups, most editorializing first
CAVEATS = [
    "These figures are a classifier's estimate of wording, not a verdict on an outlet's accuracy or honesty: "
    "the model labels sentences as editorializing or neutral, and makes mistakes, more on text unlike its "
    "training data (US news sentences labelled by experts).",
    "Shares are of sentences in the writer's voice; quoted speech is counted apart. A share describes the articles "
    "in this corpus, not everything a group publishes: how the corpus was collected (which articles, topics and "
    "years) decides what it can say.",
    "Intervals are 95% bootstrap intervals over articles; overlapping intervals mean the data cannot order the "
    "groups. Groups with few articles are listed but not ranked.",
]


def write_figures(tables: dict[str, pd.DataFrame], by: str, folder: Path) -> dict[str, str]:
    """Write the plots in both formats; returns each plot's inline SVG by name."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    figures = {"shares": _share_plot(tables["groups"], by)}
    if not tables["over_time"].empty:
        figures["over_time"] = _time_plot(tables["over_time"], by)
    inline = {}
    for name, figure in figures.items():
        figure.savefig(folder / f"{name}.png", dpi=150, bbox_inches="tight")
        figure.savefig(folder / f"{name}.svg", bbox_inches="tight", metadata={"Date": None})
        inline[name] = (folder / f"{name}.svg").read_text(encoding="utf-8")
        inline[name] = inline[name][inline[name].index("<svg") :]  # the element alone, inside HTML
        plt.close(figure)
    return inline


def _share_plot(groups: pd.DataFrame, by: str):
    import matplotlib.pyplot as plt

    ranked = groups[groups["enough_articles"]].head(PLOTTED_GROUPS).iloc[::-1]
    figure, axes = plt.subplots(figsize=(7, 0.32 * max(len(ranked), 3) + 1.2))
    share = ranked["author_voice_share"] * 100
    errors = [share - ranked["author_voice_low"] * 100, ranked["author_voice_high"] * 100 - share]
    axes.barh(ranked[by].astype(str), share, xerr=errors, color="#c0504d", ecolor="#333333", capsize=2)
    axes.set_xlabel("editorializing sentences in the writer's voice (%), with 95% interval")
    axes.set_title(f"Editorializing by {by}")
    axes.grid(axis="x", alpha=0.3)
    return figure


def _time_plot(over_time: pd.DataFrame, by: str):
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.2))
    periods = sorted(over_time["period"].unique())
    position = {p: i for i, p in enumerate(periods)}
    for line, part in over_time[over_time["enough_articles"]].groupby(by, sort=True):
        x = part["period"].map(position)
        axes.plot(x, part["author_voice_share"] * 100, marker="o", markersize=3, label=str(line))
        axes.fill_between(x, part["low"] * 100, part["high"] * 100, alpha=0.15)
    step = max(1, len(periods) // 12)
    axes.set_xticks(range(0, len(periods), step), periods[::step], rotation=45, ha="right")
    axes.set_ylabel("editorializing in the writer's voice (%)")
    axes.set_title(f"Over time, by {by} (periods with enough articles)")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=8, ncol=2)
    axes.grid(alpha=0.3)
    return figure


def write_index(tables: dict[str, pd.DataFrame], about: dict, figures: dict[str, str], folder: Path) -> None:
    by = about["by"]
    parts = [
        f"<h1>Editorializing by {_e(by)}</h1>",
        _summary(about),
        "<h2>What these figures cannot tell</h2>",
        "<ul>" + "".join(f"<li>{_e(c)}</li>" for c in CAVEATS + list(tables["notes"].get("note", []))) + "</ul>",
        f"<h2>By {_e(by)}</h2>",
        figures["shares"],
        _groups_table(tables["groups"], by),
    ]
    if "over_time" in figures:
        parts += ["<h2>Over time</h2>", figures["over_time"]]
    parts += [
        "<h2>Words that set each group apart</h2>",
        "<p>Marked words in the writer's voice that a group uses more than the others: weighted log-odds with "
        "an informative Dirichlet prior (Monroe, Colaresi and Quinn, 2008); z above 2 is unlikely by chance.</p>",
        _words(tables["words"], by),
        "<h2>Persuasion techniques in the writer's voice</h2>" + _techniques(tables["techniques"], by, about),
        "<h2>Most and least editorializing articles</h2>",
        _articles(tables["articles"], by, about),
        "<h2>Example sentences</h2>",
        _examples(tables["examples"], by),
        "<p>Tables as CSV: " + ", ".join(f'<a href="{n}.csv">{n}.csv</a>' for n in tables) + ".</p>",
    ]
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>framing report: {_e(by)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n"
    )
    (folder / "index.html").write_text(page, encoding="utf-8")


def _techniques(techniques: pd.DataFrame, by: str, about: dict, shown: int = 4) -> str:
    """Per group, its most used techniques: the share of writer's-voice sentences using each."""
    if not about.get("techniques"):
        return "<p>Not available for this model: it was scored without a technique head.</p>"
    from framing.techniques import display_name

    used = techniques[techniques["sentences"] > 0]
    if used.empty:
        return "<p>No sentence in the writer's voice uses a persuasion technique the model finds.</p>"
    rows = "".join(
        f"<tr><td>{_e(group)}</td><td>"
        + "; ".join(
            f"{_e(display_name(t.technique))} {_percent(t.share, t.low, t.high)}" for t in part.head(shown).itertuples()
        )
        + "</td></tr>"
        for group, part in used.groupby(by, sort=False)
    )
    return (
        "<p>Share of the group's sentences in the writer's voice that use each technique, with 95% interval "
        "(a sentence may use several); the most used first. All techniques in techniques.csv.</p>"
        f"<table><tr><th>{_e(by)}</th><th>techniques (share of writer's-voice sentences)</th></tr>{rows}</table>"
    )


def _e(value) -> str:
    return html.escape(str(value))


def _summary(about: dict) -> str:
    filters = f"; only {' and '.join(about['filters'])}" if about["filters"] else ""
    return (
        f"<p>{about['articles']:,} articles, {about['sentences']:,} sentences from <code>{_e(about['scored'])}"
        f"</code>{_e(filters)}; scored by model <code>{_e(about['model'])}</code>. Groups need at least "
        f"{about['min_articles']} articles to be ranked.</p>"
    )


def _percent(share, low, high) -> str:
    return "–" if pd.isna(share) else f"{share:.1%} ({low:.1%}–{high:.1%})"


def _groups_table(groups: pd.DataFrame, by: str) -> str:
    rows = "".join(
        f"<tr{'' if r.enough_articles else ' class=few'}><td>{'' if pd.isna(r['rank']) else r['rank']}</td>"
        f"<td>{_e(r[by])}</td><td>{r.articles:,}</td><td>{r.sentences:,}</td>"
        f"<td>{_percent(r.author_voice_share, r.author_voice_low, r.author_voice_high)}</td>"
        f"<td>{_percent(r.quoted_share, r.quoted_low, r.quoted_high)}</td><td>{r.mean_probability:.3f}</td>"
        f"<td>{'' if r.enough_articles else 'too few articles'}</td></tr>"
        for _, r in groups.iterrows()
    )
    return (
        "<table><tr><th>rank</th><th>" + _e(by) + "</th><th>articles</th><th>sentences</th>"
        "<th>writer's voice: editorializing (95% interval)</th><th>in quotes</th><th>mean probability</th>"
        "<th></th></tr>" + rows + "</table>"
    )


def _words(words: pd.DataFrame, by: str) -> str:
    if words.empty:
        return "<p>No marked words (this model marks none, or too few were marked).</p>"
    rows = "".join(
        f"<tr><td>{_e(group)}</td><td>"
        + ", ".join(f"{_e(w.word)} <small>({w['count']}; z {w.z:.1f})</small>" for _, w in part.iterrows())
        + "</td></tr>"
        for group, part in words.groupby(by, sort=False)
    )
    return f"<table><tr><th>{_e(by)}</th><th>words (times marked; z)</th></tr>{rows}</table>"


def _articles(articles: pd.DataFrame, by: str, about: dict) -> str:
    if articles.empty:
        return "<p>No article has enough sentences in the writer's voice.</p>"
    link, title = about["link"], about["title"]

    def name(r) -> str:
        text = _e(r[title]) if title and isinstance(r[title], str) and r[title] else f"row {r['row']}"
        url = r[link] if link and isinstance(r[link], str) and r[link].startswith(("http://", "https://")) else None
        return f'<a href="{_e(url)}" rel="noreferrer">{text}</a>' if url else text

    rows = "".join(
        f"<tr><td>{_e(r[by])}</td><td>{r['which']}</td><td>{name(r)}</td>"
        f"<td>{r['author_voice_share']:.0%}</td><td>{r['sentences']}</td></tr>"
        for _, r in articles.iterrows()
    )
    return (
        f"<table><tr><th>{_e(by)}</th><th></th><th>article</th><th>writer's voice editorializing</th>"
        f"<th>sentences</th></tr>{rows}</table>"
    )


def _examples(examples: pd.DataFrame, by: str) -> str:
    if examples.empty:
        return "<p>No sentence in the writer's voice was labelled editorializing.</p>"
    rows = "".join(
        f"<tr><td>{_e(r[by])}</td><td>{_marked(r['text'], r['words'])}</td><td>{r['score']:.2f}</td></tr>"
        for _, r in examples.iterrows()
    )
    return (
        f"<table><tr><th>{_e(by)}</th><th>sentence (marked words highlighted)</th><th>probability</th></tr>"
        f"{rows}</table>"
    )


def _marked(text: str, words: str) -> str:
    """The sentence, escaped, with each marked word in <mark> (whole words, first match)."""
    import re

    page = _e(text)
    for word in sorted({w for w in words.split("|") if w}, key=len, reverse=True):
        page = re.sub(rf"(?<![\w>]){re.escape(_e(word))}(?!\w)", lambda m: f"<mark>{m.group(0)}</mark>", page, count=1)
    return page


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;"
    "line-height:1.45}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}"
    "td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "tr.few{color:#888}mark{background:#ffd7d2}svg{max-width:100%;height:auto}code{font-size:.85rem}"
)
