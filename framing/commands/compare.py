"""`framing compare`: two checkpoints on the same data, with paired tests."""

from __future__ import annotations

import argparse


def add_parser(commands) -> None:
    compare = commands.add_parser(
        "compare",
        help="two checkpoints on the same data, with paired tests",
        description="Compare two checkpoints on the same labelled examples: McNemar's exact "
        "test and a paired bootstrap of the macro-F1 difference.",
    )
    compare.add_argument("checkpoint_a", help="first checkpoint folder or hub id (A)")
    compare.add_argument("checkpoint_b", help="second checkpoint folder or hub id (B); differences are B - A")
    compare.add_argument("--data", required=True, help="labelled CSV, TSV, JSONL or Parquet file both are scored on")
    compare.add_argument("--text-column", help="default: checkpoint A's training text column")
    compare.add_argument("--label-column", help="default: checkpoint A's training label column")
    compare.add_argument("--output", required=True, help="folder for metrics.json, report.md and plots")
    compare.add_argument("--overwrite", action="store_true", help="replace an existing output folder")


def run(args: argparse.Namespace) -> None:
    from framing.training.compare import compare

    result = compare(
        args.checkpoint_a,
        args.checkpoint_b,
        args.data,
        args.output,
        args.text_column,
        args.label_column,
        args.overwrite,
    )
    boot, test = result["paired_bootstrap"], result["mcnemar"]
    print(
        f"A {result['A']['macro_f1']:.4f}  B {result['B']['macro_f1']:.4f}  "
        f"difference {boot['macro_f1_difference']:+.4f} "
        f"(95% CI {boot['ci95'][0]:+.4f} to {boot['ci95'][1]:+.4f}, bootstrap p {boot['p_value']:.3f}; "
        f"McNemar p {test['p_value']:.3f}); report in {args.output}"
    )
