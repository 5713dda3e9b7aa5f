"""`framing pool`: sample unlabelled news sentences for distillation."""

from __future__ import annotations

import argparse
import json

from framing.cli_parser import whole


def add_parser(commands) -> None:
    pool = commands.add_parser(
        "pool",
        help="sample unlabelled news sentences for distillation",
        description="Split articles into sentences, drop boilerplate and sentences of the "
        "labelled data, and sample a pool balanced over outlets, topics and years "
        "(Parquet, in random order: its first N rows are a pool of N).",
    )
    pool.add_argument(
        "--articles",
        required=True,
        nargs="+",
        metavar="FILE",
        help="articles with text and outlet columns (topic, date optional), e.g. "
        "../shared/data/allsides/articles.parquet; several files are pooled and balanced "
        "over all their outlets (a sentence per row, as anno-lexical's, works too)",
    )
    pool.add_argument("--size", type=whole(1), required=True, help="sentences in the pool")
    pool.add_argument(
        "--exclude",
        nargs="+",
        default=[],
        metavar="FILE",
        help="labelled files whose sentences must not enter the pool (train, dev, test)",
    )
    pool.add_argument("--seed", type=whole(0), default=0, help="sampling seed (default 0)")
    pool.add_argument("--output", required=True, help="the pool, a .parquet file")
    pool.add_argument("--overwrite", action="store_true", help="replace an existing --output file")


def run(args: argparse.Namespace) -> None:
    from framing.training.pool import build_pool

    counts = build_pool(args.articles, args.output, args.size, args.exclude, args.seed, args.overwrite)
    print(json.dumps(counts))
    print(f"wrote {args.output}")
