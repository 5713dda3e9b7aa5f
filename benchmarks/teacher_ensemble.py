"""Which teacher labels best: each checkpoint alone and the average of their probabilities
(the ensemble `distill.scores` builds from several score files), on labelled data, on every
label column given.

    python benchmarks/teacher_ensemble.py --checkpoints runs/teacher-mpnet runs/minilm-reviewed \
        checkpoints/babe-minilm --data ../shared/data/babe/babe_sg2_dev.csv \
        --label-columns label_bias_reviewed label_bias [--output results.json]

Every subset of two or more checkpoints is scored as an ensemble. Rows whose label cell is
empty in a column are left out of that column's figures. Figures: macro-F1, ROC-AUC, ECE.

With `--words-column biased_words`, also the word F1 of the members' averaged word-head
weights against the marked words: could a word-level (token) distillation target beat the
student's own word head? Each word's weight is averaged over the members by its character
span (a member that splits the text differently gives 0 to a span it lacks), and the
threshold is the best on a 0.05 grid, as training picks it on dev: in-sample, the same for
every row, so rows compare with each other.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

import numpy as np  # noqa: E402

from framing.data import read_table, texts_of  # noqa: E402
from framing.predictor import FramingClassifier  # noqa: E402
from framing.training.examples import word_truth  # noqa: E402
from framing.training.labels import (  # noqa: E402
    UNLABELLED,
    targets_of,
    without_labels,
    word_lists,  # noqa: E402
)
from framing.training.metrics import best_word_threshold, classification_metrics  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoints", nargs="+", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--label-columns", nargs="+", required=True)
    parser.add_argument("--words-column", help="marked-word column: also score the averaged word weights")
    parser.add_argument("--output")
    args = parser.parse_args()
    frame = read_table(args.data)
    texts = texts_of(frame, "text", args.data)
    classifiers = {path: FramingClassifier.from_pretrained(path) for path in args.checkpoints}
    names = next(iter(classifiers.values())).labels
    probabilities, word_weights = {}, {}
    for path, classifier in classifiers.items():
        if args.words_column:
            probabilities[path], words = classifier.predict_with_words(texts, min_weight=0.0)
            word_weights[path] = words
        else:
            probabilities[path] = classifier.predict_proba(texts)
    marked = word_lists(frame, args.words_column, args.data) if args.words_column else None
    rows = []
    for size in range(1, len(args.checkpoints) + 1):
        for members in itertools.combinations(args.checkpoints, size):
            proba = np.mean([probabilities[m] for m in members], axis=0)
            row = {"members": list(members)}
            for column in args.label_columns:
                labelled = without_labels(frame, column, [UNLABELLED], args.data)
                keep = frame.index.get_indexer(labelled.index)
                gold = targets_of(labelled, column, classifiers[members[0]].meta.label_mapping, names, args.data)
                m = classification_metrics(gold, proba[keep], names, 0)
                row[column] = {"macro_f1": m["macro_f1"], "roc_auc": m["roc_auc"], "ece": m["ece"], "n": len(gold)}
            if marked is not None:
                row["words"] = averaged_word_metrics(texts, marked, [word_weights[m] for m in members])
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.output:
        from framing.output import write_json

        write_json(args.output, {"data": args.data, "rows": rows})


def averaged_word_metrics(texts: list[str], marked: list[list[str]], members: list[list[list[dict]]]) -> dict:
    """Word F1 (best grid threshold) of the members' word weights averaged by character span;
    the first member's words are the units scored."""
    units = members[0]
    by_span = [[{(w["start"], w["end"]): w["weight"] for w in words} for words in member] for member in members]
    averaged = [
        [
            {**w, "weight": float(np.mean([spans[i].get((w["start"], w["end"]), 0.0) for spans in by_span]))}
            for w in words
        ]
        for i, words in enumerate(units)
    ]
    return best_word_threshold(*word_truth(texts, marked, averaged))


if __name__ == "__main__":
    main()
