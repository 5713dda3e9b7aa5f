"""Which teacher labels best: each checkpoint alone and the average of their probabilities
(the ensemble `distill.scores` builds from several score files), on labelled data, on every
label column given.

    python benchmarks/teacher_ensemble.py --checkpoints runs/teacher-mpnet runs/minilm-reviewed \
        checkpoints/babe-minilm --data ../shared/data/babe/babe_sg2_dev.csv \
        --label-columns label_bias_reviewed label_bias [--output results.json]

Every subset of two or more checkpoints is scored as an ensemble. Rows whose label cell is
empty in a column are left out of that column's figures. Figures: macro-F1, ROC-AUC, ECE.
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
from framing.training.labels import UNLABELLED, targets_of, without_labels  # noqa: E402
from framing.training.metrics import classification_metrics  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoints", nargs="+", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--label-columns", nargs="+", required=True)
    parser.add_argument("--output")
    args = parser.parse_args()
    frame = read_table(args.data)
    texts = texts_of(frame, "text", args.data)
    classifiers = {path: FramingClassifier.from_pretrained(path) for path in args.checkpoints}
    names = next(iter(classifiers.values())).labels
    probabilities = {path: c.predict_proba(texts) for path, c in classifiers.items()}
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
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.output:
        from framing.output import write_json

        write_json(args.output, {"data": args.data, "rows": rows})


if __name__ == "__main__":
    main()
