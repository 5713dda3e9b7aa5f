"""One module per `framing` command, each with `add_parser(commands)` (its arguments) and
`run(args)`; framing.cli_parser builds the parser from them in this order, framing.cli runs them."""

from __future__ import annotations

from importlib import import_module

NAMES = [
    "predict",
    "analyze",
    "contrast",
    "extension",
    "serve",
    "export",
    "calibrate",
    "package",
    "train",
    "techniques",
    "pool",
    "crossval",
    "compare",
    "evaluate",
    "report",
]


def command(name: str):
    """The module of command `name`."""
    return import_module(f"framing.commands.{name}")
