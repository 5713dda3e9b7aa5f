"""`framing evaluate`: measure a checkpoint on labelled data."""

from __future__ import annotations

import argparse

from framing.cli_parser import add_checkpoint


def add_parser(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="measure a checkpoint on labelled data",
        description="Measure a checkpoint on labelled data, beside a TF-IDF baseline.",
    )
    evaluate.add_argument("--data", required=True, help="labelled CSV, TSV, JSONL or Parquet file")
    evaluate.add_argument("--text-column", help="default: the checkpoint's training text column")
    evaluate.add_argument("--label-column", help="default: the checkpoint's training label column")
    evaluate.add_argument("--output", required=True, help="folder for metrics.json, report.md and plots")
    evaluate.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    evaluate.add_argument(
        "--baseline-train", help="data to train the TF-IDF baseline on (default: the checkpoint's training data)"
    )
    evaluate.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF baseline")
    evaluate.add_argument(
        "--group-by",
        metavar="COLUMN",
        help="also report the metrics within each value of this column (e.g. BABE's type: "
        "the outlet's leaning) and the gaps between them",
    )
    evaluate.add_argument(
        "--techniques",
        action="store_true",
        help="measure the checkpoint's persuasion technique head instead: the data has a 0/1 column per "
        "technique; per technique precision, recall, F1 with 95%% intervals, micro- and macro-F1",
    )
    add_checkpoint(evaluate)


def run(args: argparse.Namespace) -> None:
    from framing.training.evaluate import evaluate

    if args.techniques:
        return run_techniques(args)
    metrics = evaluate(
        args.checkpoint,
        args.data,
        args.output,
        text_column=args.text_column,
        label_column=args.label_column,
        overwrite=args.overwrite,
        baseline_train=None if args.no_baseline else (args.baseline_train or "auto"),
        runtime=args.runtime,
        group_by=args.group_by,
    )
    model = metrics["model"]
    print(
        f"macro-F1 {model['macro_f1']:.4f} (95% CI {model['macro_f1_ci95'][0]:.3f}-{model['macro_f1_ci95'][1]:.3f}), "
        f"accuracy {model['accuracy']:.4f}, ECE {model['ece']:.4f}; report in {args.output}"
    )


def run_techniques(args: argparse.Namespace) -> None:
    from framing.training.evaluate_techniques import evaluate_techniques

    results = evaluate_techniques(
        args.checkpoint,
        args.data,
        args.output,
        text_column=args.text_column or "text",
        overwrite=args.overwrite,
        runtime=args.runtime,
        baseline=not args.no_baseline,
    )
    model, base = results["model"], results.get("baseline")
    low, high = model["micro_f1_ci95"]
    against = f"; TF-IDF baseline {base['micro_f1']:.3f} / {base['macro_f1']:.3f}" if base else ""
    print(
        f"techniques: micro-F1 {model['micro_f1']:.3f} (95% CI {low:.3f}-{high:.3f}), macro-F1 "
        f"{model['macro_f1']:.3f}{against}; report in {args.output}"
    )
