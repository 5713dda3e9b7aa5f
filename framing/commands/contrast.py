"""`framing contrast`: two or more reports of one event, side by side."""

from __future__ import annotations

import argparse
import json

from framing.cli_parser import add_checkpoint, whole
from framing.commands.common import read_article
from framing.errors import FramingError
from framing.news_page import FORMATS


def add_parser(commands) -> None:
    contrast = commands.add_parser(
        "contrast",
        help="two or more reports of one event, side by side",
        description="Analyze two or more articles (text files or saved news pages) and print "
        "one JSON object comparing them: each article's figures and top "
        "editorializing sentences, the loaded words each uses that the others "
        "do not, and a plain-language verdict. (To compare two models, see "
        "`framing compare`.)",
    )
    contrast.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="text files or saved news pages (.html), at least two; - once for standard input",
    )
    contrast.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="as for analyze: auto takes .html/.htm files and documents that start like a web page as pages",
    )
    contrast.add_argument(
        "--top", type=whole(0, 50), default=3, help="top editorializing sentences per article (default 3)"
    )
    add_checkpoint(contrast)


def run(args: argparse.Namespace) -> None:
    from framing.predictor import FramingClassifier

    if len(args.files) < 2:  # contrast_articles checks too; here before any file is read or the model loads
        raise FramingError(f"contrast needs two articles or more, got {len(args.files)}")
    if args.files.count("-") > 1:
        raise FramingError("standard input (-) can be only one of the articles")
    articles = [read_article(name, args.format) for name in args.files]  # every file read before the model loads
    comparison = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime).contrast(
        articles, top=args.top
    )
    for entry, name in zip(comparison["articles"], args.files):
        entry["file"] = name
    print(json.dumps(comparison, ensure_ascii=False, indent=2))
