"""What every page of the page-extraction benchmark (benchmarks/page_extraction.py) is made of:
its text (tests/fixtures/pages/benchmark_text.json), a story drawn from it with a seeded random
generator, the pieces the layouts of page_layouts.py share (head, navigation, footer, link
lists), and the extras placed at random into most of their pages (decorate)."""

from __future__ import annotations

import json
import random
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The text pages are built from (stories with slots, teasers, links, sites, extras): a fixture of its own.
TEXT = json.loads((REPO / "tests" / "fixtures" / "pages" / "benchmark_text.json").read_text(encoding="utf-8"))
PLACES, PEOPLE, DAYS, STATEMENTS, TEASERS, LINKS = (
    TEXT[k] for k in ("places", "people", "days", "statements", "teasers", "links")
)
EXTRAS = [tuple(extra) for extra in TEXT["extras"]]  # (where, markup, must-not snippet)


def story(rng: random.Random) -> dict:
    chosen, site, domain = rng.choice(TEXT["stories"]), *rng.choice(TEXT["sites"])
    slots = {
        "place": rng.choice(PLACES),
        "person": rng.choice(PEOPLE),
        "day": rng.choice(DAYS),
        "n": rng.randint(12, 95),
        "v": rng.randint(4, 9),
    }
    headline, paragraphs = chosen["headline"], [p.format(**slots) for p in chosen["paragraphs"]]
    return {
        "headline": headline.format(**slots),
        "paragraphs": paragraphs,
        "html": _marked_up(paragraphs, rng),
        "site": site,
        "domain": domain,
        "title": rng.choice(TEXT["title_forms"]).format(h=headline.format(**slots), s=site),
    }


def _marked_up(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Paragraphs as a story's markup has them: a link around three words of two of them, the
    first words of one in bold."""
    html = [escape(p, quote=False) for p in paragraphs]
    for i in rng.sample(range(1, len(html)), 2):
        words = html[i].split(" ")
        at = rng.randrange(1, len(words) - 4)
        html[i] = " ".join(
            words[:at] + [f'<a href="/topic/{at}">' + " ".join(words[at : at + 3]) + "</a>"] + words[at + 3 :]
        )
    lead = html[0].split(" ")
    html[0] = f"<strong>{' '.join(lead[:2])}</strong> {' '.join(lead[2:])}"
    return html


def ps(paragraphs, cls=""):  # <p>s of markup (a story's s["html"]) or of text without markup characters
    return "".join(f"<p{f' class={cls!r}' if cls else ''}>{p}</p>\n" for p in paragraphs)


def head(s, og_title=None):
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(s["title"])}</title>'
        f'<meta property="og:title" '
        f'content="{escape(og_title or s["title"])}"><meta property="og:site_name" content="{escape(s["site"])}">'
        f'<meta name="viewport" content="width=device-width">'
        f"<script>window.dataLayer=window.dataLayer||[];</script></head>"
    )


def nav(s):
    items = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in ("News", "Weather", "Sports", "Opinion"))
    return (
        f'<header class="site-header"><a class="logo" href="https://{s["domain"]}/">{s["site"]}</a>'
        f"<nav><ul>{items}</ul></nav></header>"
    )


def footer(s):
    return (
        f'<footer class="site-footer"><p>© 2024 {s["site"]}. All rights reserved.</p>'
        f'<a href="/privacy">Privacy Policy</a></footer>'
    )


def link_list(rng, label, cls):
    links = rng.sample(LINKS, 3)
    return (
        f'<section class="{cls}"><h2>{label}</h2>'
        f"<ul>{''.join(f'<li><a href=/x>{t}</a></li>' for t in links)}</ul></section>"
    ), links


def middle(paragraph: str, words: int = 7) -> str:  # a piece found only where the paragraph was kept
    split = paragraph.split()
    return " ".join(split[max(0, (len(split) - words) // 2) :][:words])


SUBHEAD = "What happens next"


def decorate(page: str, s: dict, rng: random.Random) -> tuple[str, list[str], list[str]]:
    """Four extras at random (at the top, under the headline, after the second paragraph, after
    the last), on half the pages a subhead before the fourth paragraph, on some a list after
    the third: (page, must-not, must-have)."""
    fill = {
        "link": rng.choice(LINKS),
        "teaser": rng.choice(TEASERS),
        "person": rng.choice(PEOPLE),
        "site": s["site"],
        "day": rng.choice(DAYS),
        "domain": s["domain"],
    }
    spots = {
        "end": lambda: _after(page, s["html"][-1]),
        "inline": lambda: _after(page, s["html"][1]),
        "head": lambda: page.index(">", page.index("</h1")) + 1,
        "top": lambda: page.index(">", page.index("<body")) + 1,
    }
    leaks, must = [], []
    for where, spot in spots.items():
        _, markup, leak = rng.choice([e for e in EXTRAS if e[0] == where])
        at, _ = spot(), leaks.append(leak)
        page = page[:at] + markup.format(**fill) + page[at:]
    if rng.random() < 0.5:
        at, _ = page.rindex("<", 0, page.index(s["html"][3])), must.append(SUBHEAD)
        page = page[:at] + f"<h2>{SUBHEAD}</h2>" + page[at:]
    if rng.random() < 0.4:  # a list in the story, after its third paragraph
        at, _ = _after(page, s["html"][2]), must.extend(TEXT["list_items"])
        page = page[:at] + "<ul>" + "".join(f"<li>{item}</li>" for item in TEXT["list_items"]) + "</ul>" + page[at:]
    return page, leaks, must


def _after(page: str, paragraph: str) -> int:  # where the element that holds a paragraph's markup ends
    return page.index(">", page.index("</", page.index(paragraph) + len(paragraph))) + 1
