"""`framing analyze`: sentence-by-sentence analysis of an article."""

from __future__ import annotations

import argparse
import json
import os
import sys

from framing.cli_parser import add_checkpoint
from framing.commands.common import read_article
from framing.news_page import FORMATS
from framing.terminal import render_analysis


def add_parser(commands) -> None:
    analyze = commands.add_parser(
        "analyze",
        help="sentence-by-sentence analysis of an article",
        description="Split an article into sentences, label each, highlight loaded words, "
        "mark quoted speech and summarise.",
    )
    analyze.add_argument("file", help="a UTF-8 text file or a saved news page (.html), or - for standard input")
    analyze.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="auto: a .html/.htm file, or a document that starts like a web page, is one "
        "(its title and body are extracted and analyzed)",
    )
    analyze.add_argument("--json", action="store_true", help="print the analysis as JSON")
    analyze.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the terminal output (auto: when writing to a terminal and NO_COLOR is unset)",
    )
    add_checkpoint(analyze)


def run(args: argparse.Namespace) -> None:
    from framing.predictor import FramingClassifier

    article = read_article(args.file, args.format)
    analysis = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime).analyze(article)
    if args.json:
        print(json.dumps(analysis, ensure_ascii=False, indent=2))
        return
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    print(render_analysis(analysis, color))
