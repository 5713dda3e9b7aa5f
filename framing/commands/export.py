"""`framing export`: build ONNX back ends and choose the fastest accurate one."""

from __future__ import annotations

import argparse
import sys

from framing.cli_parser import add_checkpoint, number


def add_parser(commands) -> None:
    export = commands.add_parser(
        "export",
        help="build ONNX back ends and choose the fastest accurate one",
        description="Build the checkpoint's ONNX back ends (fp32, int8), measure them against "
        "PyTorch fp32 on dev data, and record the fastest one within the tolerance "
        "in the checkpoint, which predict then uses by default.",
    )
    export.add_argument("--data", help="labelled dev data (default: the checkpoint's training dev split)")
    export.add_argument(
        "--tolerance", type=number(float, 0, 1), default=0.01, help="largest macro-F1 loss allowed (default 0.01)"
    )
    export.add_argument(
        "--keep-all",
        action="store_true",
        help="keep every back end's ONNX file in the checkpoint (default: only the chosen one's)",
    )
    add_checkpoint(export, runtime=False)


def run(args: argparse.Namespace) -> None:
    from framing.training.backend_choice import export_and_select

    result = export_and_select(args.checkpoint, args.data, args.tolerance, args.keep_all)
    for name, row in result["measured"].items():
        print(f"{name:14s} dev macro-F1 {row['dev_macro_f1']:.4f}  {row['sentences_per_second']:7.1f} sentences/s")
    print(f"chosen: {result['chosen']} (recorded in {result['checkpoint']}/framing.json)")
    if result["removed"]:
        print(f"removed the other back ends' files (--keep-all keeps them): {', '.join(result['removed'])}")
    if result["stale_calibration"]:
        print(f"note: {result['stale_calibration']}", file=sys.stderr)
