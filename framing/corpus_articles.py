"""Whole articles in a corpus job: `framing predict --input corpus.parquet --articles`.

Each input row's text is one article (plain text or a saved page, as `framing analyze` reads
it). It is analyzed as `FramingClassifier.analyze` does, and written as one article row and
one row per sentence, in input order, so that `framing report` (and pandas) can read the
output as it is. Every row holds:

- `row` (the input's row number), `level` ("article" or "sentence"), `sentence` (the
  sentence's number in its article; empty on article rows), the kept input columns, `layout`
  (FORMAT, which a report checks) and `model` (which checkpoint, weights and back end scored
  it: a report never mixes two);
- article rows: `page_title` (the headline of a saved page; empty for plain text),
  `sentences`, `editorializing_sentences`, `author_voice_sentences` and
  `author_voice_editorializing` (outside quotation marks), `quoted_sentences` and
  `quoted_editorializing`, `mean_probability` (of the flag label, over the sentences) and
  `error` (why an article could not be analyzed: then no sentences);
- sentence rows: `start`, `end` (offsets into the article's text), `text`, the record of its
  probabilities (`label`, `score`, `scores`; `scores.<label>` columns in CSV and Parquet),
  `flagged` (its label is the flag label), `quoted`, `truncated` and `words` (the marked
  words, in CSV joined with "|");
- with a checkpoint that has a technique head (none of these columns without one), as
  sentence-mode scoring and `analyze` give them: on sentence rows `techniques` (those found,
  best first: in JSON lines each `{"technique", "name", "score"}`, in Parquet the names, in CSV
  the names joined with "|") and in CSV and Parquet a `techniques.<technique>` probability
  column per technique; on article rows the sentences using each technique in the writer's
  voice and in quotes apart, in JSON lines `techniques` ({"author_voice": {technique: count},
  "quoted": {...}}, techniques found in no sentence left out, as analyze's `summary.techniques`),
  in CSV and Parquet `techniques.author_voice.<technique>` and `techniques.quoted.<technique>`
  (every technique, 0 when none).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from framing.data import row_numbers
from framing.errors import FramingError
from framing.kept_columns import kept_records
from framing.techniques import counts

# The `layout` a report checks: raised when a column it reads changes or goes. Optional columns
# added beside them (the techniques of a checkpoint with the head) keep it: a report reads the
# columns it needs by name, so files written with and without them read alike.
FORMAT = "framing-articles/1"
ARTICLE_FIELDS = (
    "page_title",
    "sentences",
    "editorializing_sentences",
    "author_voice_sentences",
    "author_voice_editorializing",
    "quoted_sentences",
    "quoted_editorializing",
    "mean_probability",
    "error",
)
SENTENCE_FIELDS = ("start", "end", "text", "label", "score", "scores", "flagged", "quoted", "truncated", "words")
RESULT_COLUMNS = ("row", "level", "sentence", "layout", "model") + ARTICLE_FIELDS + SENTENCE_FIELDS
# Whole-number columns that are empty on the other level's rows: pandas' nullable integers, so
# that Parquet stores integers and CSV writes "3", never "3.0".
WHOLE_NUMBERS = (
    "sentence",
    "sentences",
    "editorializing_sentences",
    "author_voice_sentences",
    "author_voice_editorializing",
    "quoted_sentences",
    "quoted_editorializing",
    "start",
    "end",
)
VOICES = ("author_voice", "quoted")  # the two tallies of analyze's summary.techniques


def result_columns(classifier) -> tuple[str, ...]:
    """The result columns of an article job (a kept column may not take their names)."""
    return RESULT_COLUMNS + (("techniques",) if classifier.has_techniques else ())


def technique_columns(techniques: Sequence[str]) -> list[str]:
    """The CSV and Parquet columns of a technique head's labels (none without a head), after
    the scores: the sentence rows' `techniques` and probabilities, the article rows' counts."""
    if not techniques:
        return []
    counted = [f"techniques.{voice}.{name}" for voice in VOICES for name in techniques]
    return ["techniques"] + [f"techniques.{name}" for name in techniques] + counted


def model_name(provenance: dict[str, Any]) -> str:
    """One string naming what decided the scores: weights (first 16 hex digits of their
    sha256), back end and calibration, and a technique head's calibration, thresholds and
    lexicon (8 hex digits); two runs that agree on it give the same scores."""
    digest = (provenance.get("weights_sha256") or "unknown")[:16]
    name = f"{digest} {provenance['runtime']} T={provenance['temperature']:.4f}"
    techniques = provenance.get("techniques")
    if techniques:  # its calibration, thresholds and lexicon change the technique counts alone
        head = hashlib.sha256(json.dumps(techniques, sort_keys=True).encode("utf-8")).hexdigest()[:8]
        name += f" techniques={head}"
    return name


def analyze_compact(classifier, text: str) -> dict[str, Any]:
    """What an engine sends back for one article: its figures and its sentences' records and
    words, without the article's text (small enough to come back from a Ray actor). With a
    technique head, each sentence's techniques found and every technique's probability."""
    options = {"all_techniques": True} if classifier.has_techniques else {}
    try:
        analysis = classifier.analyze(text, top=0, **options)
    except FramingError as error:  # one unreadable article (a page with no article text) is
        return {"error": str(error), "sentences": []}  # reported on its row; the job goes on
    flag = analysis["flag_label"]
    sentences = [_compact_sentence(s, flag) for s in analysis["sentences"]]
    probabilities = [s["scores"][flag] for s in sentences]
    return {
        "title": analysis["title"],
        "error": None,
        "sentences": sentences,
        "mean_probability": float(np.mean(probabilities)) if probabilities else None,
    }


def _compact_sentence(s: dict, flag: str) -> dict[str, Any]:
    sentence = {
        "start": s["start"],
        "end": s["end"],
        "text": s["text"],
        "label": s["label"],
        "score": s["score"],
        "scores": s["scores"],
        "flagged": s["label"] == flag,
        "quoted": s["quoted"],
        "truncated": s["truncated"],
        "words": [w["text"] for w in s["highlights"]],
    }
    if "techniques" in s:  # every technique, each marked found or not (analyze's all_techniques)
        found = [t for t in s["techniques"] if t["found"]]
        sentence["techniques"] = [{k: v for k, v in t.items() if k != "found"} for t in found]
        sentence["technique_scores"] = {t["technique"]: t["score"] for t in s["techniques"]}
    return sentence


def _article_figures(article: dict) -> dict[str, Any]:
    sentences = article["sentences"]
    voice = [s for s in sentences if not s["quoted"]]
    quoted = [s for s in sentences if s["quoted"]]
    return {
        "page_title": article.get("title"),
        "sentences": len(sentences),
        "editorializing_sentences": sum(s["flagged"] for s in sentences),
        "author_voice_sentences": len(voice),
        "author_voice_editorializing": sum(s["flagged"] for s in voice),
        "quoted_sentences": len(quoted),
        "quoted_editorializing": sum(s["flagged"] for s in quoted),
        "mean_probability": article.get("mean_probability"),
        "error": article.get("error"),
    }


def article_records(
    frame: pd.DataFrame,
    analyses: Sequence[dict],
    keep_columns: Sequence[str],
    model: str,
    techniques: Sequence[str] = (),
) -> list[dict]:
    """JSON-lines rows of a chunk: per article, its row and then its sentences' rows;
    `techniques`, the technique head's labels (none: a checkpoint without the head)."""
    records = []
    for number, kept, article in zip(row_numbers(frame), kept_records(frame, keep_columns), analyses):
        common = {"row": number, "layout": FORMAT, "model": model}
        figures = _article_figures(article)
        if techniques:  # sentences per technique found, as analyze's summary.techniques
            figures["techniques"] = counts(article["sentences"])
        records.append({**common, "level": "article", "sentence": None, **kept, **figures})
        records.extend(
            {**common, "level": "sentence", "sentence": index, **kept, **_without_probabilities(sentence)}
            for index, sentence in enumerate(article["sentences"])
        )
    return records


def _without_probabilities(sentence: dict) -> dict:
    """A sentence's JSON-lines fields: its techniques found, not every one's probability (as a
    sentence-mode record has them)."""
    return {k: v for k, v in sentence.items() if k != "technique_scores"}


def _flat_techniques(article: dict, sentence: Optional[dict], techniques: Sequence[str]) -> dict[str, Any]:
    """The technique columns of an article row (`sentence` None) or of one of its sentences' rows."""
    if not techniques:
        return {}
    if sentence is None:
        tally = counts(article["sentences"])
        return {f"techniques.{voice}.{name}": tally[voice].get(name, 0) for voice in VOICES for name in techniques}
    return {
        "techniques": [t["technique"] for t in sentence["techniques"]],
        **{f"techniques.{name}": sentence["technique_scores"][name] for name in techniques},
    }


def article_table(
    frame: pd.DataFrame,
    analyses: Sequence[dict],
    kept: pd.DataFrame,
    labels: Sequence[str],
    model: str,
    techniques: Sequence[str] = (),
) -> pd.DataFrame:
    """CSV and Parquet rows of a chunk: the same rows, flat (`scores.<label>`, the technique
    columns), the kept columns repeated from `kept` (framing.kept_columns.kept_table of the
    chunk) with their types; `techniques` as for article_records."""
    numbers = row_numbers(frame)
    positions, results = [], []
    for position, article in enumerate(analyses):
        positions.append(position)
        results.append(
            {
                "level": "article",
                "sentence": None,
                **_article_figures(article),
                **_flat_techniques(article, None, techniques),
            }
        )
        for index, sentence in enumerate(article["sentences"]):
            positions.append(position)
            scores = {f"scores.{label}": sentence["scores"][label] for label in labels}
            results.append(
                {
                    "level": "sentence",
                    "sentence": index,
                    **{k: v for k, v in sentence.items() if k not in ("scores", "techniques", "technique_scores")},
                    **scores,
                    **_flat_techniques(article, sentence, techniques),
                }
            )
    columns = (
        ["level", "sentence"]
        + list(ARTICLE_FIELDS)
        + [f for f in SENTENCE_FIELDS if f != "scores"]
        + [f"scores.{label}" for label in labels]
        + technique_columns(techniques)
    )
    table = _typed(pd.DataFrame(results, columns=columns), techniques)
    head = pd.DataFrame({"row": [numbers[p] for p in positions], "layout": FORMAT, "model": model})
    return pd.concat([head, kept.iloc[positions].reset_index(drop=True), table], axis=1)


def _typed(table: pd.DataFrame, techniques: Sequence[str]) -> pd.DataFrame:
    """Each column's one type, whatever a chunk holds: the parts of a job join in Parquet."""
    counted = [f"techniques.{voice}.{name}" for voice in VOICES for name in techniques]
    for column in list(WHOLE_NUMBERS) + counted:
        table[column] = table[column].astype("Int64")
    for column in ("flagged", "quoted", "truncated"):
        table[column] = table[column].astype("boolean")
    # text columns typed as text even in a chunk where every value is empty: a part with no
    # page titles or errors must join the parts that have some (Parquet needs one type)
    for column in ("page_title", "error", "text", "label"):
        table[column] = table[column].astype("string")
    for name in techniques:  # probabilities: numbers even in a chunk of unreadable articles only
        table[f"techniques.{name}"] = table[f"techniques.{name}"].astype("float64")
    # lists where sentences are, None elsewhere (never NaN): an all-empty part is of null type
    for column in ["words"] + (["techniques"] if techniques else []):
        table[column] = [w if isinstance(w, list) else None for w in table[column]]
    return table
