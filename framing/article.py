"""Whole-article analysis: split into sentences, label each with the predictor in one batch,
attach the words that carry the judgement, mark quoted speech, and summarise.

Opinion inside quotation marks is the speaker's, not the writer's: the summary counts
author-voice editorializing apart from quoted opinion, and so it counts persuasion techniques
(a checkpoint with a technique head: each sentence's techniques, and for an editorializing
sentence one plain explanation built from its techniques and marked words).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from framing.deadline import check_deadline
from framing.errors import FramingError, require_unicode
from framing.news_page import Article, article_from
from framing.segment import Coverage, merged_spans, quotation_spans, sentence_spans
from framing.techniques import counts as technique_counts
from framing.techniques import explain


def analyze_article(
    classifier,
    document: str | Article,
    top: int = 3,
    source_format: str = "auto",
    max_chars: Optional[int] = None,
    all_techniques: bool = False,
) -> dict[str, Any]:
    """The analysis (see docs/reference.md, "Article analysis") of a plain-text article or of a news
    page's extracted title and body, for a FramingClassifier. Offsets are into the answer's
    `text`: the document itself, or the text extracted from the page. With `all_techniques`, each
    sentence lists every technique with its probability, marked `found` or not (what is
    explained and counted stays the found ones)."""
    if isinstance(document, Article):  # already read (the CLI names its file in extraction errors)
        article = document
    elif isinstance(document, str):
        require_unicode(document, "article")
        article = article_from(document, source_format)
    else:
        raise FramingError(f"expected an article as a string, got {type(document).__name__}")
    text = article.text
    if not text.strip():
        raise FramingError("empty text")
    if max_chars is not None and len(text) > max_chars:
        what = "the page's article text" if article.source_format == "html" else "text"
        raise FramingError(f"{what}: {len(text)} characters, at most {max_chars}")
    spans = sentence_spans(text)
    # quoted speech: within quotation marks, or set by the page as a quotation (a <blockquote>)
    quotes = Coverage(merged_spans(quotation_spans(text) + list(article.quotes)))
    flag = classifier.flag_label
    flag_index = classifier.labels.index(flag)
    proba, words, techniques = classifier.predict_passages([text[a:b] for a, b in spans])
    token_counts = classifier.token_counts([text[a:b] for a, b in spans])
    sentences = []
    check_deadline()
    records = classifier.results.records(proba, techniques, all_techniques)  # label, score, scores, techniques
    for index, ((start, end), record, highlights, tokens) in enumerate(zip(spans, records, words, token_counts)):
        quoted_share = quotes.overlap((start, end)) / (end - start)
        sentence = {"index": index, "start": start, "end": end, "text": text[start:end], **record}
        sentence.update(
            quoted=quoted_share >= 0.5,
            truncated=tokens > classifier.max_length,
            highlights=[_shift(word, start, quotes) for word in highlights],
        )
        if techniques is not None:
            edited = record["label"] == flag
            sentence["explanation"] = explain(record["techniques"], [w["text"] for w in highlights]) if edited else None
        sentences.append(sentence)
    return {
        "title": article.title,
        "source_format": article.source_format,
        "text": text,
        "text_length": len(text),
        "labels": classifier.labels,
        "flag_label": flag,
        "marks_words": classifier.marks_words,  # false: its word head was never trained, no highlights
        "techniques_available": classifier.has_techniques,  # false: no technique head, no techniques
        "sentences": sentences,
        "summary": _summary(sentences, proba[:, flag_index], flag, top),
    }


def _shift(word: dict, offset: int, quotes: Coverage) -> dict:
    start, end = word["start"] + offset, word["end"] + offset
    return {
        "start": start,
        "end": end,
        "text": word["text"],
        "weight": round(word["weight"], 4),
        "quoted": quotes.overlap((start, end)) == end - start,
    }


def _summary(sentences: list[dict], flag_proba: np.ndarray, flag: str, top: int) -> dict[str, Any]:
    flagged = [s for s in sentences if s["label"] == flag]
    lengths = np.array([s["end"] - s["start"] for s in sentences], dtype=float)
    is_flagged = np.array([s["label"] == flag for s in sentences])
    ranked = sorted(flagged, key=lambda s: -s["scores"][flag])[:top]
    return {
        "sentences": len(sentences),
        "editorializing_sentences": len(flagged),
        "editorializing_share": len(flagged) / len(sentences),
        "editorializing_share_by_length": float(lengths[is_flagged].sum() / lengths.sum()),
        "mean_probability": float(flag_proba.mean()),
        "author_voice_editorializing": sum(not s["quoted"] for s in flagged),
        "quoted_editorializing": sum(s["quoted"] for s in flagged),
        "top_sentences": [
            {"index": s["index"], "text": s["text"], "score": s["scores"][flag], "quoted": s["quoted"]} for s in ranked
        ],
        "techniques": technique_counts(sentences),  # None without a technique head
    }
