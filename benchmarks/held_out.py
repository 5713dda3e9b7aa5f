"""Judgement on text no training here saw, for one or more checkpoints through their shipped
back ends, side by side:

    python benchmarks/held_out.py --checkpoint fast --checkpoint accurate [--output results.json]

- WikiNPOV (Hube and Fetahu, WSDM 2019): a seeded, stratified sample of Wikipedia statements
  flagged for breaking the neutral point of view and of neutral ones, including "cw-hard"
  neutral statements that share words with biased ones: ROC-AUC and the flagged share of each
  source. Another register than news, labelled by people, in no training set here.
- Reporting hedges: neutral BABE dev sentences (reviewed label) that the model calls neutral,
  led by a hedge ("Allegedly, ...", "According to officials, ..."): the share that flips to
  editorializing. A hedge attributes a claim; it is not loaded language.
- Marked words on real articles: AllSides articles analyzed whole (the writer's voice and quotes
  as `analyze` splits them); the share of marked words that are function words, reporting
  hedges, or capitalised words inside a sentence (names, as a rule of thumb: it also counts
  a capitalised loaded word, so it over-counts a little).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from framing import FramingClassifier  # noqa: E402
from framing.output import write_json  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
HEDGES = (
    "Allegedly, ",
    "Reportedly, ",
    "According to officials, ",
    "According to the report, ",
    "Police said that ",
    "Sources say ",
)
HEDGE_WORDS = {"allegedly", "reportedly", "according", "purportedly", "apparently", "supposedly", "claimed", "said"}


def function_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def wikinpov(clf: FramingClassifier, n: int, seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    frame = pd.read_csv(DATA / "wikinpov" / "wikinpov.csv")
    sample = frame.groupby("source").sample(n // 4, random_state=seed)  # every source has more than 1,800
    flagged = clf.predict_proba(sample["text"].tolist())[:, clf.labels.index(clf.flag_label)]
    shares = {
        source: round(float((flagged[(sample["source"] == source).to_numpy()] >= 0.5).mean()), 4)
        for source in sorted(sample["source"].unique())
    }
    return {
        "n": len(sample),
        "roc_auc": round(float(roc_auc_score(sample["label"] == "biased", flagged)), 4),
        "flagged_share_by_source": shares,
    }


def hedges(clf: FramingClassifier) -> dict:
    dev = pd.read_csv(DATA / "babe" / "babe_sg2_dev.csv")
    neutral = dev.loc[dev["label_bias_reviewed"] == "Non-biased", "text"].tolist()
    flag = clf.labels.index(clf.flag_label)
    base = clf.predict_proba(neutral)[:, flag]
    kept = [text for text, p in zip(neutral, base) if p < 0.5]
    hedged = [hedge + text[0].lower() + text[1:] for hedge in HEDGES for text in kept]
    after = clf.predict_proba(hedged)[:, flag].reshape(len(HEDGES), len(kept))
    return {
        "sentences": len(kept),
        "flipped_share": round(float((after >= 0.5).mean()), 4),
        "flipped_by_hedge": {h.strip(" ,"): round(float((row >= 0.5).mean()), 4) for h, row in zip(HEDGES, after)},
    }


def marks(clf: FramingClassifier, n: int, seed: int) -> dict:
    articles = pd.read_parquet(DATA / "allsides" / "articles.parquet")
    text_column = "text" if "text" in articles else "body"
    sample = articles[articles[text_column].str.len().between(500, 6000)].sample(n, random_state=seed)
    stop, counts, examples = function_words(), {"marks": 0, "function": 0, "hedge": 0, "name": 0}, []
    for article in sample[text_column]:
        for sentence in clf.analyze(article)["sentences"]:
            first_word = sentence["text"].split()[0] if sentence["text"].split() else ""
            for mark in sentence["highlights"]:
                word, kind = mark["text"], None
                if word.lower() in HEDGE_WORDS:
                    kind = "hedge"
                elif word.lower() in stop:
                    kind = "function"
                elif word[:1].isupper() and word != first_word:
                    kind = "name"
                counts["marks"] += 1
                if kind:
                    counts[kind] += 1
                    examples.append(f"{kind}: {word}")
    total = max(counts["marks"], 1)
    shares = {f"{kind}_share": round(counts[kind] / total, 4) for kind in ("function", "hedge", "name")}
    return {
        "articles": n,
        **counts,
        **shares,
        "not_loaded_share": round(sum(shares.values()), 4),
        "examples": sorted(set(examples))[:40],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", action="append", required=True, help="repeatable: one column each")
    parser.add_argument("--wikinpov", type=int, default=2000, help="statements sampled (default 2000)")
    parser.add_argument("--articles", type=int, default=60, help="AllSides articles analyzed (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", help="write the figures here as JSON")
    args = parser.parse_args()
    results = {}
    for name in args.checkpoint:
        clf = FramingClassifier.from_pretrained(name)
        results[name] = {
            "wikinpov": wikinpov(clf, args.wikinpov, args.seed),
            "hedges": hedges(clf),
            "marks": marks(clf, args.articles, args.seed),
        }
        row = results[name]
        print(
            f"{name}: WikiNPOV ROC-AUC {row['wikinpov']['roc_auc']:.3f}; hedged neutral sentences flipped "
            f"{row['hedges']['flipped_share']:.1%}; marks not loaded {row['marks']['not_loaded_share']:.1%} "
            f"(function {row['marks']['function_share']:.1%}, hedge {row['marks']['hedge_share']:.1%}, "
            f"name {row['marks']['name_share']:.1%} of {row['marks']['marks']})"
        )
    if args.output:
        write_json(args.output, results)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
