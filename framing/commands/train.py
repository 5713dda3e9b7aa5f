"""`framing train`: fine-tune a model from a YAML config."""

from __future__ import annotations

import argparse
import json
import os
import sys

from framing.commands.common import show_progress


def add_parser(commands) -> None:
    train = commands.add_parser(
        "train",
        help="fine-tune a model from a YAML config",
        description="Fine-tune a model from a YAML config and write a checkpoint folder.",
    )
    train.add_argument("--config", required=True, help="YAML config, e.g. configs/babe.yaml")
    train.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set train.lr=3e-5 (repeatable)",
    )
    train.add_argument("--output", help="checkpoint folder to write (default: runs/<config name>)")
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing checkpoint folder (or start over from an interrupted run)",
    )
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from the training state saved beside --output",
    )
    train.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bars on standard error (they show only on a terminal anyway)",
    )


def run(args: argparse.Namespace) -> None:
    from framing.training.config import load_config
    from framing.training.train import train

    config = load_config(args.config, args.overrides)
    output = args.output or os.path.join("runs", config.name)
    # Bars only on a terminal; each epoch's log line (loss, dev macro-F1, speed) always.
    path = train(
        config,
        output,
        overwrite=args.overwrite,
        resume=args.resume,
        progress=show_progress(args),
        on_epoch=lambda entry: print(json.dumps(entry), file=sys.stderr, flush=True),
    )
    print(f"wrote checkpoint {path}")
