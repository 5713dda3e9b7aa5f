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

Gold labels are read from the data files named by A's kept config (run.json), as they are
today, so `../shared/data` and the run's mixed files must be there; B's config must name files
whose labelled rows are the same texts in the same order and the same labels. A local data
file this reads that changed since a run, or is not found from the current directory, is
refused by its sha256 in run.json (hub datasets, and runs kept before run.json recorded it,
are read without that check). Runs that kept
different folds (one still running) are paired on the folds both kept. The probabilities are
the fold models' own (uncalibrated), and each decision is the most probable label, as in the
crossval figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from framing.errors import FramingError  # noqa: E402
from framing.output import ensure_writable, write_json  # noqa: E402
from framing.training.compare import mcnemar, paired_bootstrap, paired_difference  # noqa: E402
from framing.training.config import Config  # noqa: E402
from framing.training.crossval import prepare  # noqa: E402
from framing.training.crossval_report import Gold, scores_of  # noqa: E402
from framing.training.crossval_work import kept_run  # noqa: E402

Folds = dict[int, tuple[np.ndarray, np.ndarray]]  # fold number -> (held-out rows [n], probabilities [n, C])


def kept_folds(folder: Path) -> tuple[Config, Optional[str], Folds]:
    """A run's config, grouping and each kept fold's rows in ascending order with their
    probabilities (so two runs' folds line up row by row)."""
    config, group_by, folds = kept_run(folder)
    ordered = {}
    for number, (_, (rows, model, _, _)) in folds.items():
        order = np.argsort(rows)
        ordered[number] = (rows[order], model[order])
    return config, group_by, ordered


def pooled(folds: Folds, numbers: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The held-out rows [n] of folds `numbers` and their probabilities [n, C]."""
    return (np.concatenate([folds[k][0] for k in numbers]), np.concatenate([folds[k][1] for k in numbers]))


def paired_auc(gold: np.ndarray, score_a: np.ndarray, score_b: np.ndarray) -> Optional[dict]:
    """ROC-AUC of A and B and B minus A (gold [n] 0/1, scores [n]) on the same resampled rows;
    None where the rows hold one class (no ROC-AUC)."""
    if len(np.unique(gold)) < 2:
        return None

    def auc(idx: np.ndarray, score: np.ndarray) -> float:
        return roc_auc_score(gold[idx], score[idx]) if len(np.unique(gold[idx])) == 2 else np.nan

    everything = np.arange(len(gold))
    return {
        "a": float(auc(everything, score_a)),
        "b": float(auc(everything, score_b)),
        **paired_difference(lambda idx: auc(idx, score_b) - auc(idx, score_a), len(gold)),
    }


def column_comparison(gold: Gold, a: Folds, b: Folds, numbers: list[int], flag: int, labels: list[str]) -> dict:
    """B against A on the held-out rows of folds `numbers` that `gold` labels."""
    rows, proba_a = pooled(a, numbers)
    _, proba_b = pooled(b, numbers)
    keep = gold.has[rows]
    if not keep.any():
        return {"rows": 0}
    target, pa, pb = gold.labels[rows][keep], proba_a[keep], proba_b[keep]
    pred_a, pred_b = pa.argmax(axis=1), pb.argmax(axis=1)
    per_fold = []
    for number in numbers:
        fold_rows = a[number][0]
        fold_keep = gold.has[fold_rows]
        fold_gold = gold.labels[fold_rows][fold_keep]
        per_fold.append(
            {"fold": number, "rows": int(fold_keep.sum())}
            if not fold_keep.any()
            else {
                "fold": number,
                "rows": int(fold_keep.sum()),
                "a": scores_of("model", fold_gold, a[number][1][fold_keep], labels)["model_macro_f1"],
                "b": scores_of("model", fold_gold, b[number][1][fold_keep], labels)["model_macro_f1"],
            }
        )
    a_figures, b_figures = scores_of("model", target, pa, labels), scores_of("model", target, pb, labels)
    return {
        "rows": int(keep.sum()),
        "macro_f1_a": a_figures["model_macro_f1"],
        "macro_f1_b": b_figures["model_macro_f1"],
        "macro_f1": paired_bootstrap(target, pred_b, pred_a, len(labels)),  # B - A
        "mcnemar": mcnemar(pred_a == target, pred_b == target),  # only_a_correct: rows A gets and B misses
        "roc_auc": paired_auc((target == flag).astype(int), pa[:, flag], pb[:, flag]),
        "folds": per_fold,
    }


def compare_runs(folder_a: Path, folder_b: Path, flag_label: str = "editorializing") -> dict:
    config_a, group_a, a = kept_folds(folder_a)
    config_b, group_b, b = kept_folds(folder_b)
    labels = config_a.data.label_names
    # every check that needs no data first: reading the data takes a minute
    if config_b.data.label_names != labels:
        raise FramingError(f"{folder_b}: labels {config_b.data.label_names}, but {folder_a} has {labels}: not paired")
    if config_a.data.multi_label or config_b.data.multi_label:
        raise FramingError("pairing needs single-label runs; a multi-label run has no single decision per row")
    if flag_label not in labels:
        raise FramingError(f"--flag {flag_label}: not one of the runs' labels ({', '.join(labels)})")
    numbers = sorted(set(a) & set(b))
    if not numbers:
        raise FramingError(f"{folder_b}: kept folds {sorted(b)}, {folder_a} kept folds {sorted(a)}: none in common")
    for number in numbers:
        if not np.array_equal(a[number][0], b[number][0]):
            raise FramingError(
                f"{folder_b}: fold {number} held out other rows than in {folder_a} (another "
                f"--seed, --folds or --group-by, or other data): not paired"
            )
    recipe, _, report_gold = prepare(config_a, group_a)
    # the same data section reads the same rows; only other data needs B's read (a minute) to compare
    if config_b.data != config_a.data and list(recipe.examples.texts) != list(
        prepare(config_b, group_b)[0].examples.texts
    ):
        raise FramingError(f"{folder_b}: its labelled rows are not {folder_a}'s (other data files): not paired")
    gold = {
        config_a.data.label_column: Gold(
            np.ones(len(recipe.examples.labels), dtype=bool), np.asarray(recipe.examples.labels)
        ),
        **report_gold,
    }
    flag = labels.index(flag_label)
    return {
        "a": str(folder_a),
        "b": str(folder_b),
        "folds": numbers,
        "by_label_column": {column: column_comparison(g, a, b, numbers, flag, labels) for column, g in gold.items()},
    }


def render(result: dict) -> str:
    lines = [f"A: {result['a']}", f"B: {result['b']}"]
    for column, r in result["by_label_column"].items():
        lines.append(f"{column} ({r['rows']} held-out rows, folds {result['folds']}):")
        if not r["rows"]:
            continue
        f1, auc, test = r["macro_f1"], r["roc_auc"], r["mcnemar"]
        lines.append(
            f"  macro-F1 A {r['macro_f1_a']:.4f}  B {r['macro_f1_b']:.4f}  B - A "
            f"{f1['macro_f1_difference']:+.4f} (95% CI {f1['ci95'][0]:+.4f} to {f1['ci95'][1]:+.4f}, "
            f"p {f1['p_value']:.3f}; McNemar {test['only_a_correct']} only A right, "
            f"{test['only_b_correct']} only B, p {test['p_value']:.3f})"
        )
        lines.append(
            "  ROC-AUC  none: the rows hold one class"
            if auc is None
            else f"  ROC-AUC  A {auc['a']:.4f}  B {auc['b']:.4f}  B - A {auc['difference']:+.4f} "
            f"(95% CI {auc['ci95'][0]:+.4f} to {auc['ci95'][1]:+.4f}, p {auc['p_value']:.3f})"
        )
        lines.append(
            "  per fold (A / B): "
            + ", ".join(
                f"{f['fold']}: {f['a']:.3f} / {f['b']:.3f}" if f["rows"] else f"{f['fold']}: no rows"
                for f in r["folds"]
            )
        )
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
