"""`framing calibrate`: refit a checkpoint's calibration on labelled data."""

from __future__ import annotations

import argparse

from framing.cli_parser import add_checkpoint


def add_parser(commands) -> None:
    calibrate = commands.add_parser(
        "calibrate",
        help="refit a checkpoint's calibration on labelled data",
        description="Refit the checkpoint's calibration (a temperature and a bias per "
        "label) on labelled data, through the back end it uses by default, "
        "and store it in its framing.json, e.g. on a sample of your own "
        "labelled texts; where the data has the training words column, "
        "the word threshold too.",
    )
    calibrate.add_argument("--data", help="labelled data (default: the checkpoint's training dev split)")
    calibrate.add_argument("--text-column", help="default: the checkpoint's training text column")
    calibrate.add_argument(
        "--label-column",
        dest="label_columns",
        action="append",
        default=[],
        help="default: the checkpoint's training label column; given twice or more (two "
        "labellings of the same texts), the fit sees every column's labels at once",
    )
    calibrate.add_argument(
        "--no-bias", dest="bias", action="store_false", help="fit the temperature only (labels never change)"
    )
    add_checkpoint(calibrate, runtime=False)


def run(args: argparse.Namespace) -> None:
    from framing.training.calibration import calibrate_checkpoint

    fit = calibrate_checkpoint(args.checkpoint, args.data, args.text_column, args.label_columns, args.bias)
    bias = ", ".join(f"{b:+.4f}" for b in fit["logit_bias"])
    columns = fit.get("by_label_column") or {fit["label_column"]: fit}
    print(
        f"temperature {fit['temperature']:.4f}, bias [{bias}] on {fit['n']} rows of {fit['data']} "
        f"(label column{'s' if len(columns) > 1 else ''} {', '.join(columns)}, back end {fit['runtime']})"
    )
    spread = fit["uncertainty"]  # how far the rows pin the fit down: a small sample, a wide interval
    print(
        f"95% interval over {spread['resamples']} resamples of the rows: temperature "
        + "; bias ".join(
            f"{low:.4f} to {high:.4f}" for low, high in [spread["temperature_ci95"], *spread.get("logit_bias_ci95", [])]
        )
    )
    for column, figures in columns.items():
        for key in ("ece", "macro_f1"):
            print(
                f"{column + ' ' if len(columns) > 1 else ''}{key:9s} {figures['before'][key]:.4f} before (the "
                f"calibration it replaces), {figures['uncalibrated'][key]:.4f} uncalibrated, "
                f"{figures['after'][key]:.4f} after"
            )
    if fit.get("words"):
        words = fit["words"]
        print(
            f"word threshold {words['before']['threshold']:.2f} -> {words['after']['threshold']:.2f} "
            f"(word F1 {words['before']['f1']:.4f} -> {words['after']['f1']:.4f}, column {words['column']})"
        )
    print(f"recorded in {fit['checkpoint']}/framing.json")
