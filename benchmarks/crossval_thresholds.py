"""Is a leave-one-outlet-out fold lost to the outlet's base rate or to ranking? Reads the kept
folds of a `framing crossval --group-by` run and reports, per held-out fold: the share of
editorializing rows in gold and in the model's labels, macro-F1 at the model's own decision,
the best macro-F1 any single threshold would give in hindsight (an upper bound no deployed
model reaches: it reads the held-out labels), macro-F1 after a Bayes prior correction to the
fold's true base rate (known from its labels), and after the same correction to a base rate
estimated from the unlabelled fold itself (EM, Saerens et al., Neural Computation 2002).

    python benchmarks/crossval_thresholds.py benchmarks/results/issue24/crossval_outlet_wordlists.folds \
        [--output results.json [--overwrite]]

The folds' probabilities are the fold models' own, uncalibrated (training/crossval.py), and the
base rate they are corrected from is that of the fold's labelled training rows (the mixed rows
and the intermediate stage moved the model's prior too, so the corrections start from an
approximate prior). The hindsight threshold tries every distinct probability, so no other
threshold does better. The recipe's data is read from the config kept in run.json (so
`../shared/data` and the run's mixed files must be there, unchanged where run.json records
their sha256).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score, roc_auc_score  # noqa: E402

from framing.errors import FramingError  # noqa: E402
from framing.output import ensure_writable, write_json  # noqa: E402
from framing.training.crossval import prepare  # noqa: E402
from framing.training.crossval_work import kept_run  # noqa: E402


def with_prior(p: np.ndarray, new: float, old: float) -> np.ndarray:
    """Binary probabilities [n] moved from base rate `old` to `new` (Bayes' rule on the odds)."""
    odds = p / (1 - p) * (new / (1 - new)) / (old / (1 - old))
    return odds / (1 + odds)


def em_prior(p: np.ndarray, old: float, rounds: int = 100) -> float:
    """The base rate of unlabelled rows that their own corrected probabilities agree with."""
    new = old
    for _ in range(rounds):
        new = float(with_prior(p, new, old).mean())
    return new


def fold_figures(gold: np.ndarray, p: np.ndarray, old: float) -> dict:
    """gold [n] 0/1, p [n] probability of the flagged label, old: the training rows' base rate."""
    f1 = lambda flagged: float(f1_score(gold, flagged, average="macro"))  # noqa: E731
    estimated = em_prior(p, old)
    return {
        "rows": int(len(gold)),
        "gold_rate": float(gold.mean()),
        "predicted_rate": float((p > 0.5).mean()),
        "train_rate": float(old),
        "em_rate": estimated,
        "roc_auc": float(roc_auc_score(gold, p)),
        "macro_f1": f1(p > 0.5),
        "best_threshold_in_hindsight": max(f1(p >= t) for t in np.unique(p)),
        "known_prior": f1(with_prior(p, gold.mean(), old) > 0.5),
        "em_prior": f1(with_prior(p, estimated, old) > 0.5),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folds", type=Path, help="a crossval run's kept-folds folder (with run.json)")
    parser.add_argument("--flag", default="editorializing", help="the label whose rate is compared")
    parser.add_argument("--output", help="also write the figures here as JSON")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output file")
    args = parser.parse_args(argv)
    if args.output:  # refused before any work, not after it
        ensure_writable(args.output, args.overwrite)
    config, group_by, folds = kept_run(args.folds)
    recipe, _, _ = prepare(config, group_by)
    flag = config.data.label_names.index(args.flag)
    gold_all = np.asarray(recipe.examples.labels) == flag  # [N]
    rows = []
    for row, (held_out, model, _, _) in folds.values():
        p = np.clip(model[:, flag], 1e-6, 1 - 1e-6)
        old = float(np.delete(gold_all, held_out).mean())
        rows.append(
            {
                "fold": row["fold"],
                "held_out": row.get("held_out_groups"),
                **fold_figures(gold_all[held_out].astype(int), p, old),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    keys = ["macro_f1", "best_threshold_in_hindsight", "known_prior", "em_prior", "roc_auc"]
    means = {key: float(np.mean([r[key] for r in rows])) for key in keys}
    print("fold means: " + ", ".join(f"{key} {value:.4f}" for key, value in means.items()))
    if args.output:
        write_json(args.output, {"folds_folder": str(args.folds), "folds": rows, "means": means}, args.overwrite)


if __name__ == "__main__":
    try:
        main()
    except FramingError as error:
        sys.exit(f"error: {error}")
