"""`framing report`: a scored corpus by outlet, topic and time, as a web page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from framing.cli_parser import whole


def add_parser(commands) -> None:
    report = commands.add_parser(
        "report",
        help="a scored corpus by outlet, topic and time, as a web page",
        description="Read the output of framing predict --articles and write a folder: "
        "index.html (opens offline), the plots as PNG and SVG and the tables "
        "as CSV. Shares are of sentences in the writer's voice, with 95% "
        "intervals from resampling articles.",
    )
    report.add_argument("scored", help="the .parquet, .csv or .jsonl file framing predict --articles wrote")
    report.add_argument(
        "--by", required=True, metavar="COLUMN", help="the kept column to group by (outlet, topic, ...)"
    )
    report.add_argument("--output", required=True, help="the report folder to write")
    report.add_argument("--time", metavar="COLUMN", help="a kept date column: the shares over time")
    report.add_argument(
        "--freq", choices=["month", "quarter", "year"], default="month", help="periods over time (default month)"
    )
    report.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="how --time is written, e.g. %%d.%%m.%%Y (default: ISO 8601, or month/day/year)",
    )
    report.add_argument(
        "--filter",
        dest="filters",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="only rows where COLUMN is VALUE (repeatable: all must hold)",
    )
    report.add_argument(
        "--min-articles",
        type=whole(1),
        default=20,
        help="groups with fewer articles are shown but not ranked (default 20)",
    )
    report.add_argument("--overwrite", action="store_true", help="replace a report folder framing wrote earlier")


def run(args: argparse.Namespace) -> None:
    from framing.report import write_report

    tables = write_report(
        args.scored,
        args.output,
        args.by,
        args.time,
        args.freq,
        args.filters,
        args.min_articles,
        args.date_format,
        args.overwrite,
    )
    groups = tables["groups"]
    print(
        f"framing: report of {int(groups['articles'].sum())} articles in {len(groups)} {args.by} groups written to "
        f"{Path(args.output) / 'index.html'}",
        file=sys.stderr,
    )
    for note in tables["notes"].get("note", []):
        print(f"framing: note: {note}", file=sys.stderr)
