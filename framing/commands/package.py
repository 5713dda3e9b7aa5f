"""`framing package`: a checkpoint as its chosen ONNX back end only, ready to ship."""

from __future__ import annotations

import argparse

from framing.cli_parser import whole


def add_parser(commands) -> None:
    package = commands.add_parser(
        "package",
        help="a checkpoint as its chosen ONNX back end only, ready to ship",
        description="Write a copy of the checkpoint that holds only the ONNX back end "
        "`framing export` chose, its weights split into files of at most "
        "--shard-mb MB, and the tokenizer, heads and metadata: it predicts "
        "as the checkpoint does, but cannot be trained on (except its technique head, `framing techniques`) "
        "or run in fp32.",
    )
    package.add_argument("--checkpoint", required=True, help="the exported checkpoint folder")
    package.add_argument("--output", required=True, help="the folder to write")
    package.add_argument("--shard-mb", type=whole(1), default=45, help="largest weights file in MB (default 45)")
    package.add_argument("--overwrite", action="store_true", help="replace an existing output folder")


def run(args: argparse.Namespace) -> None:
    from framing.training.package import package_checkpoint

    folder = package_checkpoint(args.checkpoint, args.output, args.shard_mb, args.overwrite)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.iterdir()) if p.is_file())
    print(f"wrote {folder}: {sizes}")
