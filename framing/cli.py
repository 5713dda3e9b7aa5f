"""The `framing` command: parse the arguments (framing.cli_parser), run the command's module
(framing.commands: `predict`, `analyze`, `contrast`, `serve`, ... call the predictor; `train`,
`evaluate`, `crossval`, `compare`, `export`, `calibrate`, `package` and `pool` dispatch to the
`training` package). Errors in the user's input print one line (`framing: error: ...`) and
exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from framing.cli_parser import build_parser
from framing.commands import command
from framing.errors import FramingError

# top-level module -> the extra that installs it
EXTRAS = {
    "ray": "ray",
    "pyarrow": "parquet",
    **{
        module: "train"
        for module in ("torch", "transformers", "safetensors", "datasets", "sklearn", "matplotlib", "scipy")
    },
}


def missing_extra(args: argparse.Namespace, error: ModuleNotFoundError) -> str:
    """One line naming the extra to install for a missing optional module."""
    module = (error.name or "").split(".")[0]
    extra = "report" if args.command == "report" and module in ("matplotlib", "pyarrow") else EXTRAS.get(module)
    if extra is None:
        raise error  # not an optional extra: a real bug, keep the traceback
    return f'framing {args.command} needs {module}, which comes with an extra: pip install "framing[{extra}]"'


def quiet_transformers() -> None:
    """No load reports or "Loading weights" bars from transformers in the training commands:
    their own bars (epochs, on a terminal) and log lines are what the user reads."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the light install: the command will name the extra it needs
        return
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or an argument error already printed
        return exit_.code if isinstance(exit_.code, int) else 2
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.command in ("train", "techniques", "evaluate", "export", "calibrate", "crossval", "compare", "package"):
        quiet_transformers()
    try:
        command(args.command).run(args)
    except FramingError as error:
        print(f"framing: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk or a vanished folder mid-way: what was complete is kept
        where = f"{error.filename}: " if error.filename else ""
        print(f"framing: error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:  # an optional extra that is not installed
        print(f"framing: error: {missing_extra(args, error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("framing: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
