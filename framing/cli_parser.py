"""The `framing` command's arguments: the parser, built from each command's module
(framing.commands), and the argparse types that check every numeric option before any work
(framing.cli runs the commands)."""

from __future__ import annotations

import argparse
import sys
from typing import Optional


def number(kind: type, low: float, high: Optional[float] = None, above: bool = False):
    """An argparse type: an int or float from `low` (or, with `above`, more than `low`) to
    `high`. Every numeric option is checked here, before any work, so a bad value is one error
    line, never a crash, a hang or a silent result."""
    what = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value != value:  # NaN: no comparison below is true of it, so it would pass every bound
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        if above and not value > low:
            raise argparse.ArgumentTypeError(f"must be more than {low:g}, got {text}")
        if value < low or (high is not None and value > high):
            span = f"at least {low:g}" if high is None else f"from {low:g} to {high:g}"
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value

    return parse


def whole(low: int, high: Optional[int] = None):
    return number(int, low, high)


class Parser(argparse.ArgumentParser):
    """Errors in the arguments are one line, like every other error of the command."""

    def error(self, message: str):
        print(f"framing: error: {self.prog.removeprefix('framing').strip() or 'framing'}: {message}", file=sys.stderr)
        raise SystemExit(2)


def add_checkpoint(parser: argparse.ArgumentParser, runtime: bool = True, default: str = "accurate") -> None:
    parser.add_argument(
        "--checkpoint",
        default=None,
        help=f"a shipped model (accurate, fast), a checkpoint folder or a hub id (default: "
        f"$FRAMING_CHECKPOINT, else {default})",
    )
    if runtime:
        parser.add_argument(
            "--fp32",
            action="store_const",
            const="torch-fp32",
            default="auto",
            dest="runtime",
            help="use the PyTorch fp32 model instead of the checkpoint's chosen back end",
        )


def build_parser() -> argparse.ArgumentParser:
    from framing import __version__
    from framing.commands import NAMES, command

    parser = Parser(prog="framing", description="Tell neutral news reporting from editorializing.")
    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for name in NAMES:
        command(name).add_parser(commands)
    return parser
