"""Which calibration holds up on unseen rows: the temperature alone, or a temperature and a bias
per label (training/calibration.py), cross-fitted on labelled data through a checkpoint's
default back end.

    python benchmarks/calibration.py --checkpoint checkpoints/babe-minilm \
        --data ../shared/data/babe/babe_sg2_dev.csv \
        --label-columns label_bias_reviewed label_bias [--folds 2 --repeats 20] [--output results.json]

The first label column is the one calibration is fitted on; with two or more, each method is
also fitted on every column's labels at once (`framing calibrate --label-column A
--label-column B`: probabilities calibrated to the columns' average), on the same folds. For each method and repeat, the
rows are split into stratified folds; each fold is scored with the calibration fitted on the
others, so every figure is out of sample. ECE and macro-F1 are reported on every label column
(on the rows the first column labels), as the mean over repeats, beside the in-sample figures
of a fit on all rows. `ece_if_calibrated` is the ECE that perfectly calibrated probabilities would still
show on this many rows (outcomes drawn from the probabilities themselves: the noise floor
of the estimate; mean and 95th percentile).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from framing.data import read_table, texts_of  # noqa: E402
from framing.predictor import FramingClassifier  # noqa: E402
from framing.results import calibrated_probabilities  # noqa: E402
from framing.training.calibration import Calibration, fit_calibration  # noqa: E402
from framing.training.labels import UNLABELLED, targets_of, without_labels  # noqa: E402
from framing.training.metrics import classification_metrics, expected_calibration_error  # noqa: E402

METHODS = {"temperature": False, "temperature+bias": True}


def figures(proba: np.ndarray, golds: dict[str, tuple[np.ndarray, np.ndarray]], labels: list[str]) -> dict:
    """ECE and macro-F1 on each label column (`golds`: column -> (row positions, gold ids))."""
    out = {}
    for column, (rows, gold) in golds.items():
        m = classification_metrics(gold, proba[rows], labels, 0)
        out[column] = {"ece": m["ece"], "macro_f1": m["macro_f1"], "n": len(gold)}
    return out


def fit_rows(logits: np.ndarray, golds: dict, columns: list[str], rows: np.ndarray, bias: bool) -> Calibration:
    """The calibration fitted on `rows` (positions in `logits`) with every column's labels at once."""
    inputs, targets = [], []
    for column in columns:
        positions, gold = golds[column]
        keep = np.isin(positions, rows)
        inputs.append(logits[positions[keep]])
        targets.append(gold[keep])
    return fit_calibration(np.concatenate(inputs), np.concatenate(targets), bias)


def noise_floor(proba: np.ndarray, rounds: int = 2000, seed: int = 0) -> dict:
    """ECE of outcomes drawn from `proba` itself: what a perfectly calibrated model shows here."""
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(proba, axis=1)  # [N, C]; a label drawn by where a uniform number falls
    draws = [
        expected_calibration_error(
            (rng.random((len(proba), 1)) > cumulative).sum(axis=1).clip(max=proba.shape[1] - 1), proba
        )
        for _ in range(rounds)
    ]
    return {"mean": float(np.mean(draws)), "p95": float(np.quantile(draws, 0.95))}


def cross_fitted(
    logits: np.ndarray, golds: dict, columns: list[str], bias: bool, multi_label: bool, folds: int, repeat: int
) -> np.ndarray:
    """Every row's probabilities under a fit on the other folds (`folds` folds stratified by the
    first label column, shuffled by `repeat`)."""
    proba = np.zeros(logits.shape, dtype=np.float32)
    fit_gold = next(iter(golds.values()))[1]
    splits = StratifiedKFold(folds, shuffle=True, random_state=repeat).split(logits, fit_gold)
    for train_rows, test_rows in splits:
        fit = fit_rows(logits, golds, columns, train_rows, bias)
        proba[test_rows] = calibrated_probabilities(logits[test_rows], fit.temperature, fit.bias, multi_label)
    return proba


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint")
    parser.add_argument("--data", required=True)
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-columns", nargs="+", required=True, help="the first is the one fitted on")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--output")
    args = parser.parse_args()
    classifier = FramingClassifier.from_pretrained(args.checkpoint)
    labels, mapping = classifier.labels, classifier.meta.label_mapping
    fit_frame = without_labels(
        read_table(args.data), args.label_columns[0], [UNLABELLED, *classifier.meta.drop_labels], args.data
    )
    logits = classifier.logits(texts_of(fit_frame, args.text_column, args.data))  # [N, C], one pass
    golds = {}
    for column in args.label_columns:
        labelled = without_labels(fit_frame, column, [UNLABELLED, *classifier.meta.drop_labels], args.data)
        golds[column] = (
            fit_frame.index.get_indexer(labelled.index),
            targets_of(labelled, column, mapping, labels, args.data),
        )
    result = {
        "checkpoint": str(classifier.checkpoint_dir),
        "runtime": classifier.runtime.name,
        "data": args.data,
        "fitted_on": args.label_columns[0],
        "folds": args.folds,
        "repeats": args.repeats,
        "methods": {},
    }
    every_row = np.arange(len(logits))
    fits = [(args.label_columns[:1], "")] + ([(args.label_columns, " (every column)")] if len(golds) > 1 else [])
    for (columns, suffix), (method, bias) in itertools.product(fits, METHODS.items()):
        method += suffix
        fit = fit_rows(logits, golds, columns, every_row, bias)
        whole = calibrated_probabilities(logits, fit.temperature, fit.bias, classifier.multi_label)
        repeats = [
            figures(
                cross_fitted(logits, golds, columns, bias, classifier.multi_label, args.folds, repeat), golds, labels
            )
            for repeat in range(args.repeats)
        ]
        cross = {
            column: {key: float(np.mean([r[column][key] for r in repeats])) for key in ("ece", "macro_f1")}
            for column in golds
        }
        result["methods"][method] = {
            "cross_fitted": cross,
            "in_sample": figures(whole, golds, labels),
            "ece_if_calibrated": noise_floor(whole),
        }
        print(json.dumps({method: result["methods"][method]}), flush=True)
    if args.output:
        from framing.output import write_json

        write_json(args.output, result)


if __name__ == "__main__":
    main()
