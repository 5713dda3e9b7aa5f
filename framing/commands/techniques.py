"""`framing techniques`: add a persuasion technique head to a checkpoint (the rest unchanged)."""

from __future__ import annotations

import argparse


def add_parser(commands) -> None:
    techniques = commands.add_parser(
        "techniques",
        help="add a persuasion technique head to a checkpoint",
        description="Train a technique head (any set of 0/1 label columns, e.g. SemEval-2023's persuasion "
        "techniques) on a checkpoint's frozen encoder and write the checkpoint with it to --output: every "
        "other output stays as it was. Calibration and thresholds are fitted on dev through the checkpoint's "
        "back end.",
    )
    techniques.add_argument(
        "checkpoint",
        help="a checkpoint folder, or a shipped model by name (accurate, fast); one that ships only its ONNX graph "
        "gets its head retrained on the graph's own pooled features",
    )
    techniques.add_argument(
        "--config", required=True, help="a training config with a `techniques:` section (or only that section)"
    )
    techniques.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a config value"
    )
    techniques.add_argument("--output", required=True, help="the new checkpoint folder")
    techniques.add_argument("--overwrite", action="store_true", help="replace an existing --output folder")


def run(args: argparse.Namespace) -> None:
    from framing.checkpoint import locate_checkpoint
    from framing.output import ensure_writable
    from framing.techniques import display_name
    from framing.training.add_techniques import add_techniques, technique_config

    config = technique_config(args.config, args.overrides)
    ensure_writable(args.output, args.overwrite, kind="checkpoint")  # before the work
    result = add_techniques(locate_checkpoint(args.checkpoint), config, args.output, overwrite=args.overwrite)
    dev = result["dev"]
    print(f"techniques: {', '.join(map(display_name, result['labels']))}")
    if result["folded"]:
        print(f"folded into other persuasion technique (too rare): {', '.join(result['folded'])}")
    for label, row in dev["per_class"].items():
        print(f"  {display_name(label):32s} F1 {row['f1']:.3f}  (dev support {row['support']})")
    print(f"dev micro-F1 {dev['micro_f1']:.3f}, macro-F1 {dev['macro_f1']:.3f}; written to {args.output}")
