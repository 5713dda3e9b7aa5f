"""How a technique head's threshold policy does on paragraphs it was not tuned on: one threshold
per technique against one shared by all (`techniques.thresholds`), for one or more checkpoints:

    python benchmarks/technique_thresholds.py --checkpoint accurate --checkpoint fast [--output results.json]

The dev figures `framing techniques` records are fitted and measured on the same paragraphs.
Here dev is split in two halves at random; the calibration (temperature and a bias per
technique) and the thresholds are fitted on one half through the checkpoint's own back end and
its mixed logits, and micro- and macro-F1 measured on the other; both ways round, over
`--splits` random splits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from framing import FramingClassifier  # noqa: E402
from framing.data import texts_of  # noqa: E402
from framing.output import write_json  # noqa: E402
from framing.results import calibrated_probabilities  # noqa: E402
from framing.training.calibration import fit_calibration  # noqa: E402
from framing.training.evaluate_techniques import gold_targets  # noqa: E402
from framing.training.labels import load_table  # noqa: E402
from framing.training.metrics import FINE_GRID, best_thresholds  # noqa: E402

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "semeval2023_persuasion"
POLICIES = {"per_label": False, "shared": True}


def cross_fitted(logits: np.ndarray, targets: np.ndarray, splits: int = 20, seed: int = 0) -> dict:
    """Each policy's micro- and macro-F1 on the half of dev it was not fitted on: mean and
    standard deviation over 2 x `splits` halves, and how often sharing did better."""
    rng = np.random.default_rng(seed)
    scores = {name: {"micro": [], "macro": []} for name in POLICIES}
    for _ in range(splits):
        order = rng.permutation(len(targets))
        halves = order[: len(order) // 2], order[len(order) // 2 :]
        for fitted, scored in (halves, halves[::-1]):
            fit = fit_calibration(logits[fitted], targets[fitted], True)
            fitted_p, scored_p = (
                calibrated_probabilities(logits[i], fit.temperature, fit.bias, True) for i in (fitted, scored)
            )
            for name, shared in POLICIES.items():
                found = scored_p >= best_thresholds(targets[fitted], fitted_p, FINE_GRID, shared)
                for average in ("micro", "macro"):
                    scores[name][average].append(f1_score(targets[scored], found, average=average, zero_division=0))
    gain = np.array(scores["shared"]["micro"]) - np.array(scores["per_label"]["micro"])
    figures = {
        name: {f"{average}_f1": round(float(np.mean(v)), 4) for average, v in values.items()}
        | {"micro_f1_sd": round(float(np.std(values["micro"])), 4)}
        for name, values in scores.items()
    }
    return figures | {"halves": len(gain), "shared_better_share": round(float(np.mean(gain > 0)), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", action="append", required=True, help="repeat to compare")
    parser.add_argument("--data", default=str(DEV / "semeval2023_persuasion_dev.csv"))
    parser.add_argument("--splits", type=int, default=20)
    parser.add_argument("--output", help="write the figures as JSON")
    args = parser.parse_args()
    frame = load_table(args.data)
    results = {}
    for checkpoint in args.checkpoint:
        classifier = FramingClassifier.from_pretrained(checkpoint)
        logits = classifier.forward_techniques(texts_of(frame, "text", args.data))  # [N, K] uncalibrated
        figures = cross_fitted(logits, gold_targets(frame, classifier.meta.techniques, args.data), args.splits)
        results[checkpoint] = figures
        each, shared = figures["per_label"], figures["shared"]
        print(
            f"{checkpoint}: micro-F1 per technique {each['micro_f1']:.3f} (sd {each['micro_f1_sd']:.3f}), shared "
            f"{shared['micro_f1']:.3f} (sd {shared['micro_f1_sd']:.3f}), better in "
            f"{figures['shared_better_share']:.0%} of {figures['halves']} halves; "
            f"macro-F1 {each['macro_f1']:.3f} against {shared['macro_f1']:.3f}"
        )
    if args.output:
        write_json(Path(args.output), results)


if __name__ == "__main__":
    main()
