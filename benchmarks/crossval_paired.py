"""Two recipes on the same cross-validation folds, paired: is B better than A, or is the
difference of their fold means noise? Reads two `framing crossval` runs' kept folds (the
`<output>.folds/` folders) that held out the same rows in the same folds, and reports, for the
config's label column and each `report_label_columns` column, over every held-out row at once
(about 4,000 BABE sentences rather than dev's 394):

- macro-F1 of B minus A at each model's own decision, with a paired bootstrap and McNemar's test;
- ROC-AUC of B minus A for the flagged label, with a paired bootstrap (threshold-free);
- the per-fold macro-F1 of each.

    python benchmarks/crossval_paired.py benchmarks/results/issue24/crossval_strict_wordlists.folds \\
        benchmarks/results/issue24/crossval_strict_stereotypes.folds [--output paired.json [--overwrite]]

Gold labels are read from the data named by A's kept config (run.json), so `../shared/data` and
the run's mixed files must be there; B's labelled rows must be the same texts in the same order.
The probabilities are the fold models' own (uncalibrated), as the crossval figures are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score, roc_auc_score  # noqa: E402

from framing.errors import FramingError  # noqa: E402
from framing.output import ensure_writable, write_json  # noqa: E402
from framing.training.compare import mcnemar, paired_bootstrap  # noqa: E402
from framing.training.config import Config  # noqa: E402
from framing.training.crossval import Gold, kept_run, prepare  # noqa: E402
from framing.training.metrics import resampled  # noqa: E402


def kept_folds(folder: Path) -> tuple[Config, Optional[str], dict[int, tuple[np.ndarray, np.ndarray]]]:
    """A run's config, grouping and each kept fold's (held-out rows [n], model probabilities [n, C])."""
    config, group_by, folds = kept_run(folder)
    return config, group_by, {number: (scored[0], scored[1]) for number, (_, scored) in folds.items()}


def pooled(folds: dict[int, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Every held-out row [n] and its probabilities [n, C], rows in ascending order."""
    rows = np.concatenate([folds[k][0] for k in sorted(folds)])
    proba = np.concatenate([folds[k][1] for k in sorted(folds)])
    order = np.argsort(rows)
    return rows[order], proba[order]


def paired_auc(gold: np.ndarray, score_a: np.ndarray, score_b: np.ndarray, rounds: int = 2000,
               seed: int = 0) -> dict[str, float]:
    """ROC-AUC of B minus A (gold [n] 0/1, scores [n]) on the same resampled rows for both."""
    auc = lambda idx, s: roc_auc_score(gold[idx], s[idx])  # noqa: E731
    deltas = resampled(lambda idx: auc(idx, score_b) - auc(idx, score_a), len(gold), rounds, seed)
    everything = np.arange(len(gold))
    low, high = np.percentile(deltas, [2.5, 97.5])
    return {"a": float(auc(everything, score_a)), "b": float(auc(everything, score_b)),
            "difference": float(auc(everything, score_b) - auc(everything, score_a)),
            "ci95": [float(low), float(high)], "p_value": float(min(1.0, 2 * min((deltas <= 0).mean(),
                                                                                (deltas >= 0).mean())))}


def column_comparison(gold: Gold, a: dict, b: dict, flag: int, num_labels: int) -> dict:
    """B against A on the held-out rows `gold` labels (a, b: fold number -> (rows, proba))."""
    rows, proba_a = pooled(a)
    _, proba_b = pooled(b)
    keep = gold.has[rows]
    target, pa, pb = gold.labels[rows][keep], proba_a[keep], proba_b[keep]
    pred_a, pred_b = pa.argmax(axis=1), pb.argmax(axis=1)
    f1 = lambda t, p: float(f1_score(t, p, average="macro", labels=list(range(num_labels))))  # noqa: E731
    per_fold = []
    for number in sorted(a):
        fold_keep = gold.has[a[number][0]]
        fold_gold = gold.labels[a[number][0]][fold_keep]
        per_fold.append({"fold": number, "rows": int(fold_keep.sum()),
                         "a": f1(fold_gold, a[number][1][fold_keep].argmax(1)),
                         "b": f1(fold_gold, b[number][1][fold_keep].argmax(1))})
    return {"rows": int(keep.sum()), "macro_f1_a": f1(target, pred_a), "macro_f1_b": f1(target, pred_b),
            "macro_f1": paired_bootstrap(target, pred_b, pred_a, num_labels),  # B - A
            "mcnemar": mcnemar(pred_a == target, pred_b == target),  # only_a_correct: rows A gets and B misses
            "roc_auc": paired_auc((target == flag).astype(int), pa[:, flag], pb[:, flag]),
            "folds": per_fold}


def compare_runs(folder_a: Path, folder_b: Path, flag_label: str = "editorializing") -> dict:
    config_a, group_a, a = kept_folds(folder_a)
    config_b, group_b, b = kept_folds(folder_b)
    if sorted(a) != sorted(b):
        raise FramingError(f"{folder_b}: kept folds {sorted(b)}, but {folder_a} has {sorted(a)}; pair only "
                           f"finished runs, or the same folds of both")
    for number in a:
        if not np.array_equal(np.sort(a[number][0]), np.sort(b[number][0])):
            raise FramingError(f"{folder_b}: fold {number} held out other rows than in {folder_a} (another "
                               f"--seed, --folds or --group-by, or other data): not paired")
    recipe, _, report_gold = prepare(config_a, group_a)
    texts_b = prepare(config_b, group_b)[0].examples.texts
    if list(recipe.examples.texts) != list(texts_b):
        raise FramingError(f"{folder_b}: its labelled rows are not {folder_a}'s (other data files): not paired")
    labels = config_a.data.label_names
    if config_a.data.multi_label or flag_label not in labels:
        raise FramingError(f"pairing needs single-label runs with the label {flag_label!r} (labels: {labels})")
    gold = {config_a.data.label_column: Gold(np.ones(len(recipe.examples.labels), dtype=bool),
                                             np.asarray(recipe.examples.labels)), **report_gold}
    flag = labels.index(flag_label)
    return {"a": str(folder_a), "b": str(folder_b), "folds": sorted(a),
            "by_label_column": {column: column_comparison(g, a, b, flag, len(labels)) for column, g in gold.items()}}


def render(result: dict) -> str:
    lines = [f"A: {result['a']}", f"B: {result['b']}"]
    for column, r in result["by_label_column"].items():
        f1, auc, test = r["macro_f1"], r["roc_auc"], r["mcnemar"]
        lines += [f"{column} ({r['rows']} held-out rows, folds {result['folds']}):",
                  f"  macro-F1 A {r['macro_f1_a']:.4f}  B {r['macro_f1_b']:.4f}  B - A {f1['macro_f1_difference']:+.4f} "
                  f"(95% CI {f1['ci95'][0]:+.4f} to {f1['ci95'][1]:+.4f}, p {f1['p_value']:.3f}; McNemar "
                  f"{test['only_a_correct']} only A right, {test['only_b_correct']} only B, p {test['p_value']:.3f})",
                  f"  ROC-AUC  A {auc['a']:.4f}  B {auc['b']:.4f}  B - A {auc['difference']:+.4f} "
                  f"(95% CI {auc['ci95'][0]:+.4f} to {auc['ci95'][1]:+.4f}, p {auc['p_value']:.3f})",
                  "  per fold (A / B): " + ", ".join(f"{f['fold']}: {f['a']:.3f} / {f['b']:.3f}" for f in r["folds"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="the first run's kept-folds folder (with run.json)")
    parser.add_argument("b", type=Path, help="the second run's, on the same folds")
    parser.add_argument("--flag", default="editorializing", help="the label whose ROC-AUC is compared")
    parser.add_argument("--output", help="also write the figures here as JSON")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output file")
    args = parser.parse_args(argv)
    if args.output:  # refused before any work, not after it
        ensure_writable(args.output, args.overwrite)
    result = compare_runs(args.a, args.b, args.flag)
    print(render(result))
    if args.output:
        write_json(args.output, result, args.overwrite)


if __name__ == "__main__":
    try:
        main()
    except FramingError as error:
        sys.exit(f"error: {error}")
