"""Two or more reports of one event, side by side: each analysed as in framing.article, the
loaded words one uses that the others do not, and a plain-language verdict.

What the figures compare is wording: how much of each article the model reads as
editorializing in the writer's own voice (quoted opinion is the speaker's). They are a
classifier's estimates, not a fact-check, and the verdict says so.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

from framing.errors import FramingError
from framing.techniques import display_name

# Percentage points (of sentences in the writer's own voice, as the verdict prints them) below
# which two articles are said to editorialize "about as much": a sentence or two in a short
# article, within the model's noise. Compared in whole points, so the rule is the printed figures'.
SAME_POINTS = 10


def contrast_articles(
    classifier, documents: Sequence, top: int = 3, source_format: str = "auto", max_chars=None
) -> dict[str, Any]:
    """The comparison of `documents` (texts, news pages or framing.news_page.Article) for a
    FramingClassifier: {"articles": [...], "verdict": str, "note": str}."""
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Sequence):
        raise FramingError(f"expected a list of articles, got {type(documents).__name__}")
    if len(documents) < 2:
        raise FramingError(f"contrast needs two articles or more, got {len(documents)}")
    analyses = []
    for index, document in enumerate(documents):
        try:
            analyses.append(classifier.analyze(document, top=top, format=source_format, max_chars=max_chars))
        except FramingError as error:
            raise FramingError(f"article {index + 1}: {error}") from None
    vocabularies = [_vocabulary(analysis["text"]) for analysis in analyses]
    articles = []
    for index, analysis in enumerate(analyses):
        # a loaded word is "only here" when no other article uses it at all, loaded or not
        elsewhere = set().union(*(other for j, other in enumerate(vocabularies) if j != index))
        articles.append(_article_entry(index, analysis, _loaded_words(analysis), elsewhere))
    return {
        "articles": articles,
        "flag_label": classifier.flag_label,
        "marks_words": classifier.marks_words,
        "techniques_available": classifier.has_techniques,
        "verdict": verdict(articles),
        "note": (
            "A classifier's estimate of wording, not a fact-check: it says how each article "
            "words the event, not whether it is accurate, fair or complete."
        ),
    }


def _loaded_words(analysis: dict) -> dict[str, dict]:
    """Highlighted words by their folded form: {word: {"word", "count", "weight", "quoted"}}
    (the highest weight; quoted only when every use is inside a quotation)."""
    words: dict[str, dict] = {}
    for sentence in analysis["sentences"]:
        for mark in sentence["highlights"]:
            key = fold(mark["text"])
            entry = words.setdefault(key, {"word": mark["text"], "count": 0, "weight": 0.0, "quoted": True})
            entry["count"] += 1
            entry["weight"] = max(entry["weight"], mark["weight"])
            entry["quoted"] = entry["quoted"] and mark["quoted"]
    return words


def _vocabulary(text: str) -> set[str]:
    """Every word of a text, folded as loaded words are, split at apostrophes and hyphens (so
    "committee's" holds "committee", and "cover-up" "cover" and "up")."""
    return {fold(word) for word in re.findall(r"\w+", text)}


def _used_in(word: str, vocabulary: set[str]) -> bool:
    return _vocabulary(word) <= vocabulary


def fold(word: str) -> str:
    """One form per word for comparing articles: case and compatibility forms folded."""
    return unicodedata.normalize("NFKC", word).casefold().strip("\"'“”‘’.,;:!?()[]")


def _article_entry(index: int, analysis: dict, words: dict[str, dict], elsewhere: set[str]) -> dict:
    summary = analysis["summary"]
    by_index = {s["index"]: s for s in analysis["sentences"]}
    ranked = sorted(words.values(), key=lambda w: (-w["weight"], w["word"]))
    return {
        "index": index,
        "title": analysis["title"] or _first_line(analysis["text"]),
        "source_format": analysis["source_format"],
        "sentences": summary["sentences"],
        "editorializing_sentences": summary["editorializing_sentences"],
        "editorializing_share": summary["editorializing_share"],
        "editorializing_share_by_length": summary["editorializing_share_by_length"],
        "author_voice_editorializing": summary["author_voice_editorializing"],
        "author_voice_share": summary["author_voice_editorializing"] / summary["sentences"],
        "quoted_editorializing": summary["quoted_editorializing"],
        "mean_probability": summary["mean_probability"],
        "top_sentences": [
            {**top, "highlights": by_index[top["index"]]["highlights"]} for top in summary["top_sentences"]
        ],
        "loaded_words": ranked,
        "loaded_words_only_here": [w for w in ranked if not _used_in(w["word"], elsewhere)],
        # sentences per technique in the writer's voice (None without a technique head)
        "techniques": summary["techniques"]["author_voice"] if summary.get("techniques") is not None else None,
        "analysis": analysis,
    }


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 80 else line[:79] + "…"


def percent(article: dict) -> int:
    """The share of an article's sentences editorializing in the writer's own voice, in whole
    percent rounded half up, from the integer counts (no float rounding): the figure the verdict
    prints and compares."""
    flagged, sentences = article["author_voice_editorializing"], article["sentences"]
    return (200 * flagged + sentences) // (2 * sentences)


def clearly_more(a: dict, b: dict) -> bool:
    """The verdict's one rule: `a` editorializes more than `b` when its printed share is at least
    SAME_POINTS whole points higher (20% vs 10% and 50% vs 40% alike)."""
    return percent(a) - percent(b) >= SAME_POINTS


def verdict(articles: list[dict]) -> str:
    """What the figures say, in a sentence or two: which articles editorialize more in the
    writer's own voice than which (by `clearly_more`), by how much, with which words. Every
    article is in one group: more (clearly above the least, not clearly below the most), less
    (clearly below every "more" one) or in between, so each group's claim holds pairwise."""
    least, most = min(articles, key=percent), max(articles, key=percent)
    more = [a for a in articles if clearly_more(a, least) and not clearly_more(most, a)]
    if not more:
        text = (
            "The articles editorialize about as much in the writer's own voice: "
            + "; ".join(f"{_name(a)}, {_share(a)}" for a in articles)
            + "."
        )
    else:
        less = [a for a in articles if all(clearly_more(m, a) for m in more)]
        between = [a for a in articles if a not in more and a not in less]
        text = _capital(
            f"{_names(more)} {'editorializes' if len(more) == 1 else 'editorialize'} more in the "
            f"writer's own voice: {' and '.join(map(_share, more))}, against "
            f"{' and '.join(map(_share, less))} in {_names(less)}."
        )
        if between:
            text += " " + _capital(
                f"{' and '.join(f'{_name(a)}, {_share(a)},' for a in between)} "
                f"{'lies' if len(between) == 1 else 'lie'} in between."
            )
        text += _only_words(more)
    text += _only_techniques(articles)
    quoted = [a for a in articles if a["quoted_editorializing"]]
    if quoted:
        text += (
            " Editorializing inside quotations ("
            + ", ".join(f"{a['quoted_editorializing']} in article {a['index'] + 1}" for a in quoted)
            + ") is the speaker's, not the writer's."
        )
    return text


def _only_words(more: list[dict]) -> str:
    """The unquoted loaded words only each "more" article uses (five at most each)."""
    text = ""
    for article in more:
        words = [w["word"] for w in article["loaded_words_only_here"] if not w["quoted"]][:5]
        if words:
            who = "it" if len(more) == 1 else f"article {article['index'] + 1}"
            text += f" Loaded words only {who} uses: " + ", ".join(f"“{w}”" for w in words) + "."
    return text


def _only_techniques(articles: list[dict]) -> str:
    """The persuasion techniques found in the writer's voice of one article and of no other."""
    if any(article.get("techniques") is None for article in articles):  # a model without the head
        return ""
    text = ""
    for article in articles:
        others = set().union(*(set(other["techniques"]) for other in articles if other is not article))
        only = [display_name(t).lower() for t in article["techniques"] if t not in others]
        if only:
            text += f" Only article {article['index'] + 1} uses " + _listed(only) + " in the writer's own voice."
    return text


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _name(article: dict) -> str:
    return f"article {article['index'] + 1} (“{article['title']}”)"


def _names(group: list[dict]) -> str:
    return " and ".join(map(_name, group))


def _share(article: dict) -> str:
    return f"{article['author_voice_editorializing']} of {article['sentences']} sentences ({percent(article)}%)"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
