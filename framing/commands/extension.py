"""`framing extension`: write out the browser extension (a folder or a .zip)."""

from __future__ import annotations

import argparse
import sys


def add_parser(commands) -> None:
    extension = commands.add_parser(
        "extension",
        help="write out the browser extension (a folder or a .zip)",
        description="Write the browser extension (Manifest V3, Chromium-based browsers) "
        "to a folder, to load with 'Load unpacked', or to a .zip archive.",
    )
    extension.add_argument("output", help="a folder to create, or a file name ending in .zip")
    extension.add_argument("--overwrite", action="store_true", help="replace an existing output")


def run(args: argparse.Namespace) -> None:
    from framing.browser_extension import ORIGIN, write_extension

    target = write_extension(args.output, overwrite=args.overwrite)
    how = (
        "load it in chrome://extensions (Developer mode, Load unpacked)"
        if target.suffix.lower() != ".zip"
        else "unzip it and load the folder in chrome://extensions (Developer mode, Load unpacked)"
    )
    print(
        f"framing: wrote the extension to {target}; {how}, then run: framing serve --allow-origin {ORIGIN}",
        file=sys.stderr,
    )
