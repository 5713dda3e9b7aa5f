"""`framing crossval`: k-fold cross-validation of a config against the baseline."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from framing.cli_parser import whole
from framing.errors import FramingError


def add_parser(commands) -> None:
    crossval = commands.add_parser(
        "crossval",
        help="k-fold cross-validation of a config against the baseline",
        description="Pool the config's train and dev data, train on k-1 folds, score the "
        "held-out fold; per-fold and mean ± sd macro-F1 and ROC-AUC for the model "
        "and the TF-IDF baseline on the same folds.",
    )
    crossval.add_argument("--config", required=True, help="YAML config, e.g. configs/babe.yaml")
    crossval.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value (repeatable)",
    )
    crossval.add_argument("--folds", type=whole(2), default=5, help="number of folds (default 5)")
    crossval.add_argument("--seed", type=whole(0), default=0, help="seed of the fold split (default 0)")
    crossval.add_argument(
        "--group-by", metavar="COLUMN", help="hold out whole groups of this column together (e.g. outlet): GroupKFold"
    )
    crossval.add_argument("--only-folds", type=whole(1), nargs="+", help="run just these folds (1-based)")
    crossval.add_argument(
        "--teacher",
        dest="teachers",
        action="append",
        default=[],
        metavar='"CONFIG [KEY=VALUE ...]"',
        help="with a distill section: train this teacher config (and overrides) on each fold's "
        "training rows and distil from the fold teachers' average instead of the score "
        "files, a strict estimate (repeatable)",
    )
    crossval.add_argument(
        "--output",
        help="write the per-fold results here as JSON; finished folds are kept in <output>.folds/ as they end",
    )
    crossval.add_argument(
        "--resume", action="store_true", help="continue an interrupted run from <output>.folds/ (rewrites --output)"
    )
    crossval.add_argument("--overwrite", action="store_true", help="replace an existing --output file and start over")


def run(args: argparse.Namespace) -> None:
    from framing.output import ensure_writable, write_json
    from framing.training.config import load_config
    from framing.training.crossval import crossval
    from framing.training.crossval_report import print_row, render_crossval

    wrong = [fold for fold in args.only_folds or [] if fold > args.folds]
    if wrong:
        raise FramingError(f"--only-folds {' '.join(map(str, wrong))}: there are only {args.folds} folds")
    work = Path(f"{args.output}.folds") if args.output else None
    if args.resume and work is None:
        raise FramingError("--resume needs --output: the finished folds are kept beside it")
    if args.resume and not work.is_dir():
        raise FramingError(f"{work}: no kept folds to resume from; run without --resume to start")
    if work is not None and not args.resume:
        if work.exists() and not args.overwrite:
            raise FramingError(
                f"{work}: an earlier run kept its folds here; pass --resume to continue it or --overwrite to start over"
            )
        ensure_writable(args.output, args.overwrite)
        shutil.rmtree(work, ignore_errors=True)
    teachers = [teacher_config(spec) for spec in args.teachers]
    result = crossval(
        load_config(args.config, args.overrides),
        args.folds,
        args.seed,
        args.only_folds,
        print_row,
        args.group_by,
        teachers,
        work,
        args.resume,
    )
    print(render_crossval(result))
    if args.output:
        write_json(
            args.output,
            {
                "config": args.config,
                "overrides": args.overrides,
                "group_by": args.group_by,
                "teachers": args.teachers,
                **result,
            },
            True,
        )  # checked above


def teacher_config(spec: str):
    """`--teacher "configs/x.yaml train.epochs=5"`: a config path, then its overrides."""
    import shlex

    from framing.training.config import load_config

    path, *overrides = shlex.split(spec) or [""]
    bad = [item for item in overrides if "=" not in item]
    if not path or bad:
        raise FramingError(f"--teacher {spec!r}: expected a config path followed by KEY=VALUE overrides")
    return load_config(path, overrides)
