"""`framing serve`: run the HTTP service and web page."""

from __future__ import annotations

import argparse

from framing.cli_parser import add_checkpoint, number, whole


def add_parser(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the HTTP service and web page",
        description="Run the HTTP service (FastAPI) with the web page at /.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=whole(1, 65535), default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--timeout",
        type=number(float, 0, above=True),
        default=30.0,
        help="answer 503 and stop a request's work after this many seconds (default 30)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let browser pages of this origin call the server (repeatable; never *), such as the "
        "browser extension's chrome-extension://mohjkanpfmgnhgblbikihgoojefidmpc",
    )
    add_checkpoint(serve)


def run(args: argparse.Namespace) -> None:
    from framing.predictor import FramingClassifier
    from framing.server import Limits, check_origins, create_app, listen, serve

    check_origins(args.allow_origin)  # before the model loads
    sockets = listen(args.host, args.port)  # a busy port or a mistyped host: one line, before the model loads
    app = create_app(
        FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime),
        Limits(timeout_s=args.timeout),
        allow_origins=args.allow_origin,
    )
    serve(app, sockets)
