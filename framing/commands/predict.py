"""`framing predict`: label passages (arguments or a file)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from framing.cli_parser import add_checkpoint, whole
from framing.commands.common import read_stdin, show_progress
from framing.errors import FramingError
from framing.techniques import NOT_AVAILABLE


def add_parser(commands) -> None:
    predict = commands.add_parser(
        "predict",
        help="label passages (arguments or a file)",
        description="Label passages. Prints or writes one JSON object per passage, in input order.",
    )
    predict.add_argument(
        "texts", nargs="*", help="passages to label, or - to read one passage per line of standard input"
    )
    predict.add_argument("--input", help="CSV, TSV, JSONL, Parquet or TXT (one passage per line), read in chunks")
    predict.add_argument("--text-column", default="text", help="column holding the passages (default: text)")
    predict.add_argument(
        "--keep-columns",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="input columns to copy into the output (e.g. an id)",
    )
    predict.add_argument(
        "--output",
        help="write here (.jsonl, .csv or .parquet) instead of JSON lines on standard "
        "output; written complete or not at all",
    )
    predict.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --output file (or start over from an interrupted run)",
    )
    predict.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted --input run from its partial output, scoring only what is left",
    )
    predict.add_argument(
        "--all-techniques",
        action="store_true",
        help="list every persuasion technique with its probability, each marked found or not (default: those "
        "found); a model without a technique head says so",
    )
    _add_corpus_options(predict)
    add_checkpoint(predict, default="accurate for passages, fast for --input files")


def _add_corpus_options(predict) -> None:
    """What an --input job reads and how it runs: articles, a part of the file, chunks, Ray."""
    predict.add_argument(
        "--articles",
        action="store_true",
        help="each --input row is a whole article: write an article row and its sentences' rows "
        "(what `framing report` reads)",
    )
    predict.add_argument(
        "--limit",
        type=whole(1),
        metavar="N",
        help="score the first N rows of --input only (to try a corpus before scoring all of it)",
    )
    predict.add_argument(
        "--sample",
        type=whole(1),
        metavar="N",
        help="score a uniform random sample of N rows of --input, in file order (--seed picks it)",
    )
    predict.add_argument("--seed", type=whole(0), default=0, help="the seed of --sample (default 0)")
    predict.add_argument(
        "--chunk-size",
        type=whole(1),
        help="rows read, scored and saved at a time (default 4096 passages, 256 articles)",
    )
    predict.add_argument("--batch-size", type=whole(1), default=8, help="passages per forward pass (default 8)")
    predict.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="score in this process, or on Ray Data (local Ray instance or --ray-address)",
    )
    predict.add_argument(
        "--ray-address", help="Ray cluster to join, e.g. ray://head:10001 or auto (default: start a local instance)"
    )
    predict.add_argument(
        "--workers", type=whole(1), default=2, help="Ray actors, each loading the model once (default 2)"
    )
    predict.add_argument("--threads-per-worker", type=whole(1), default=1, help="CPU threads per Ray actor (default 1)")
    predict.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar on standard error (it shows only on a terminal anyway)",
    )


def run(args: argparse.Namespace) -> None:
    from framing.corpus_files import check_output_format, write_records
    from framing.output import ensure_writable
    from framing.predictor import FramingClassifier

    if bool(args.texts) == bool(args.input):
        raise FramingError("give passages as arguments or --input FILE (one of the two)")
    named = [text for text in args.texts if text != "-" and os.path.isfile(text)]  # a file, not a passage
    if named:
        raise FramingError(
            f"{named[0]} is a file, not a passage: label its rows with --input {named[0]}, or an "
            f"article with framing analyze {named[0]} (a passage can come on standard input: -)"
        )
    if args.texts == ["-"]:  # one passage per line of standard input; blank lines are skipped
        args.texts = [line for line in read_stdin().splitlines() if line.strip()]
        if not args.texts:
            raise FramingError("standard input: no passages")
    if args.input:
        return run_corpus(args)
    if args.resume or args.engine != "local" or args.articles or args.limit or args.sample:
        raise FramingError(
            "--resume, --engine, --articles, --limit and --sample apply to --input files only (an "
            "article given as text: framing analyze)"
        )
    if args.output:
        ensure_writable(check_output_format(args.output), args.overwrite)  # before the work
    classifier = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime, batch_size=args.batch_size)
    if args.all_techniques and not classifier.has_techniques:
        raise FramingError(f"--all-techniques: {NOT_AVAILABLE}")
    probabilities, _, techniques = classifier.predict_passages(args.texts, with_words=False)
    if args.output and Path(args.output).suffix.lower() != ".jsonl":  # the columns of a corpus job's CSV and Parquet
        table = classifier.results.table(probabilities, techniques)
        return write_records(Path(args.output), table.assign(text=args.texts)[["text", *table.columns]])
    records = [
        {"text": text, **record}
        for text, record in zip(args.texts, classifier.results.records(probabilities, techniques, args.all_techniques))
    ]
    if args.output:
        write_records(Path(args.output), records)
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))


def run_corpus(args: argparse.Namespace) -> None:
    from framing.checkpoint import CORPUS_MODEL, locate_checkpoint
    from framing.corpus import LocalEngine, score_corpus
    from framing.predictor import FramingClassifier

    if args.all_techniques:
        raise FramingError(
            "--all-techniques applies to passages given as arguments (a file's output has every technique's "
            "probability as a column)"
        )
    # Loaded here for the Ray engine too: a bad checkpoint fails before Ray starts, and a
    # missing ONNX file is built once, not once per actor.
    checkpoint = locate_checkpoint(args.checkpoint, default=CORPUS_MODEL)  # corpora: the fast model unless told
    classifier = FramingClassifier.from_pretrained(checkpoint, runtime=args.runtime, batch_size=args.batch_size)
    folder = Path(classifier.checkpoint_dir)
    if args.engine == "ray":
        from framing.ray_engine import RayEngine

        engine = RayEngine(
            str(folder.resolve()),
            args.runtime,
            args.batch_size,
            args.workers,
            args.threads_per_worker,
            args.ray_address,
            classifier=classifier,
            articles=args.articles,
        )
    else:
        engine = LocalEngine(classifier, articles=args.articles)
    chunk_size = args.chunk_size or (256 if args.articles else 4096)
    summary = score_corpus(
        engine,
        args.input,
        args.output,
        model=classifier.provenance(),
        text_column=args.text_column,
        keep_columns=args.keep_columns,
        chunk_size=chunk_size,
        resume=args.resume,
        overwrite=args.overwrite,
        progress=show_progress(args),
        limit=args.limit,
        sample=args.sample,
        seed=args.seed,
    )
    if summary.get("note") == "already complete":
        print(
            f"framing: {args.output} was already complete ({summary['rows']} rows); nothing to score", file=sys.stderr
        )
    elif args.output:
        print(
            f"framing: scored {summary['scored']} rows ({summary['rows']} in all) into {args.output}", file=sys.stderr
        )
