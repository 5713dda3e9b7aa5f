"""A human reference for word highlights: how well one of BABE's expert annotators matches the
others on which words carry the bias, scored the way `framing evaluate` scores the model.

    python benchmarks/word_agreement.py --data ../shared/data/babe/babe_sg2_dev.csv [--output results.json]

BABE's published `biased_words` are the words that at least two of a sentence's annotators
marked (the rule reproduces 98% of the training file's lists). Here each annotator in turn is
held out: the words at least two of the *other* annotators marked are the gold, and the held-out
annotator's own marked words are the prediction; counts are pooled over all words of all
sentences (precision, recall, F1), as for the model. Annotators whose entry in
`annotator_biased_words` is missing marked no words in that sentence. Marked phrases count
for every word they cover; misspellings count as unmarked, as they do for BABE's own lists.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from framing.data import read_table  # noqa: E402
from framing.training.examples import marked_spans  # noqa: E402

WORD = re.compile(r"\w+(?:['’]\w+)*")


def marked_words(text: str, words: list[tuple[int, int]], phrases: list[str]) -> set[int]:
    """Indices of the `words` (character spans) that a marked phrase covers."""
    spans = marked_spans(text, phrases)
    return {i for i, (start, end) in enumerate(words) if any(start < e and s < end for s, e in spans)}


def annotators_marks(text: str, entries: str, annotators: int) -> list[set[int]]:
    """Each annotator's marked words; entries are comma-separated phrases as typed."""
    words = [m.span() for m in WORD.finditer(text)]
    lists = json.loads(entries) if entries else []
    marks = [marked_words(text, words, [p for p in re.split(r"[,;]", entry) if p.strip()]) for entry in lists]
    return marks + [set() for _ in range(max(0, annotators - len(marks)))]


def leave_one_out(marks: list[set[int]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of each annotator against the words at
    least two of the others marked, summed over annotators."""
    tp = fp = fn = 0
    for k, mine in enumerate(marks):
        others = marks[:k] + marks[k + 1 :]
        gold = {i for i in set().union(*others) if sum(i in o for o in others) >= 2}
        tp, fp, fn = tp + len(mine & gold), fp + len(mine - gold), fn + len(gold - mine)
    return tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--output")
    args = parser.parse_args()
    frame = read_table(args.data)
    tp = fp = fn = 0
    for text, entries, annotators in zip(
        frame["text"], frame["annotator_biased_words"].fillna(""), frame["n_annotators"]
    ):
        counts = leave_one_out(annotators_marks(text, entries, int(annotators)))
        tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
    result = {
        "data": args.data,
        "sentences": len(frame),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "f1": 2 * tp / (2 * tp + fp + fn),
    }
    print(json.dumps(result))
    if args.output:
        from framing.output import write_json

        write_json(args.output, result)


if __name__ == "__main__":
    main()
