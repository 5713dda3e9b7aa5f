"""The `framing` command's arguments: one sub-parser per command, and the argparse types that
check every numeric option before any work (framing.cli runs the commands)."""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from framing.news_page import FORMATS


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


def _add_checkpoint(parser: argparse.ArgumentParser, runtime: bool = True) -> None:
    parser.add_argument("--checkpoint", default=None,
                        help="a shipped model by name (fast), a checkpoint folder or a hub id (default: "
                             "$FRAMING_CHECKPOINT, else fast)")
    if runtime:
        parser.add_argument("--fp32", action="store_const", const="torch-fp32", default="auto", dest="runtime",
                            help="use the PyTorch fp32 model instead of the checkpoint's chosen back end")


def build_parser() -> argparse.ArgumentParser:
    from framing import __version__

    parser = Parser(prog="framing", description="Tell neutral news reporting from editorializing.")
    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    predict = commands.add_parser("predict", help="label passages (arguments or a file)",
                                  description="Label passages. Prints or writes one JSON object per passage, in input order.")
    predict.add_argument("texts", nargs="*", help="passages to label, or - to read one passage per line of "
                                                  "standard input")
    predict.add_argument("--input", help="CSV, TSV, JSONL, Parquet or TXT (one passage per line), read in chunks")
    predict.add_argument("--text-column", default="text", help="column holding the passages (default: text)")
    predict.add_argument("--keep-columns", nargs="+", default=[], metavar="COLUMN",
                         help="input columns to copy into the output (e.g. an id)")
    predict.add_argument("--output", help="write here (.jsonl, .csv or .parquet) instead of JSON lines on standard "
                                          "output; written complete or not at all")
    predict.add_argument("--overwrite", action="store_true",
                         help="replace an existing --output file (or start over from an interrupted run)")
    predict.add_argument("--resume", action="store_true",
                         help="continue an interrupted --input run from its partial output, scoring only what is left")
    predict.add_argument("--articles", action="store_true",
                         help="each --input row is a whole article: write an article row and its sentences' rows "
                              "(what `framing report` reads)")
    predict.add_argument("--limit", type=whole(1), metavar="N", help="score the first N rows of --input only (to try "
                                                                     "a corpus before scoring all of it)")
    predict.add_argument("--chunk-size", type=whole(1), help="rows read, scored and saved at a time "
                                                              "(default 4096 passages, 256 articles)")
    predict.add_argument("--batch-size", type=whole(1), default=8, help="passages per forward pass (default 8)")
    predict.add_argument("--engine", choices=["local", "ray"], default="local",
                         help="score in this process, or on Ray Data (local Ray instance or --ray-address)")
    predict.add_argument("--ray-address", help="Ray cluster to join, e.g. ray://head:10001 or auto "
                                               "(default: start a local instance)")
    predict.add_argument("--workers", type=whole(1), default=2, help="Ray actors, each loading the model once (default 2)")
    predict.add_argument("--threads-per-worker", type=whole(1), default=1, help="CPU threads per Ray actor (default 1)")
    predict.add_argument("--no-progress", action="store_true",
                         help="no progress bar on standard error (it shows only on a terminal anyway)")
    _add_checkpoint(predict)

    analyze = commands.add_parser("analyze", help="sentence-by-sentence analysis of an article",
                                  description="Split an article into sentences, label each, highlight loaded words, "
                                              "mark quoted speech and summarise.")
    analyze.add_argument("file", help="a UTF-8 text file or a saved news page (.html), or - for standard input")
    analyze.add_argument("--format", choices=FORMATS, default="auto",
                         help="auto: a .html/.htm file, or a document that starts like a web page, is one "
                              "(its title and body are extracted and analyzed)")
    analyze.add_argument("--json", action="store_true", help="print the analysis as JSON")
    analyze.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                         help="colour the terminal output (auto: when writing to a terminal and NO_COLOR is unset)")
    _add_checkpoint(analyze)

    contrast = commands.add_parser("contrast", help="two or more reports of one event, side by side",
                                   description="Analyze two or more articles (text files or saved news pages) and print "
                                               "one JSON object comparing them: each article's figures and top "
                                               "editorializing sentences, the loaded words each uses that the others "
                                               "do not, and a plain-language verdict. (To compare two models, see "
                                               "`framing compare`.)")
    contrast.add_argument("files", nargs="+", metavar="FILE",
                          help="text files or saved news pages (.html), at least two; - once for standard input")
    contrast.add_argument("--format", choices=FORMATS, default="auto",
                          help="as for analyze: auto takes .html/.htm files and documents that start like a web page as pages")
    contrast.add_argument("--top", type=whole(0, 50), default=3, help="top editorializing sentences per article (default 3)")
    _add_checkpoint(contrast)

    extension = commands.add_parser("extension", help="write out the browser extension (a folder or a .zip)",
                                    description="Write the browser extension (Manifest V3, Chromium-based browsers) "
                                                "to a folder, to load with 'Load unpacked', or to a .zip archive.")
    extension.add_argument("output", help="a folder to create, or a file name ending in .zip")
    extension.add_argument("--overwrite", action="store_true", help="replace an existing output")

    serve = commands.add_parser("serve", help="run the HTTP service and web page",
                                description="Run the HTTP service (FastAPI) with the web page at /.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=whole(1, 65535), default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--timeout", type=number(float, 0, above=True), default=30.0,
                       help="answer 503 and stop a request's work after this many seconds (default 30)")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="let browser pages of this origin call the server (repeatable; never *), such as the "
                            "browser extension's chrome-extension://mohjkanpfmgnhgblbikihgoojefidmpc")
    _add_checkpoint(serve)

    export = commands.add_parser("export", help="build ONNX back ends and choose the fastest accurate one",
                                 description="Build the checkpoint's ONNX back ends (fp32, int8), measure them against "
                                             "PyTorch fp32 on dev data, and record the fastest one within the tolerance "
                                             "in the checkpoint, which predict then uses by default.")
    export.add_argument("--data", help="labelled dev data (default: the checkpoint's training dev split)")
    export.add_argument("--tolerance", type=number(float, 0, 1), default=0.01, help="largest macro-F1 loss allowed (default 0.01)")
    export.add_argument("--keep-all", action="store_true",
                        help="keep every back end's ONNX file in the checkpoint (default: only the chosen one's)")
    _add_checkpoint(export, runtime=False)

    calibrate = commands.add_parser("calibrate", help="refit a checkpoint's calibration on labelled data",
                                    description="Refit the checkpoint's calibration (a temperature and a bias per "
                                                "label) on labelled data, through the back end it uses by default, "
                                                "and store it in its framing.json, e.g. on a sample of your own "
                                                "labelled texts; where the data has the training words column, "
                                                "the word threshold too.")
    calibrate.add_argument("--data", help="labelled data (default: the checkpoint's training dev split)")
    calibrate.add_argument("--text-column", help="default: the checkpoint's training text column")
    calibrate.add_argument("--label-column", dest="label_columns", action="append", default=[],
                           help="default: the checkpoint's training label column; given twice or more (two "
                                "labellings of the same texts), the fit sees every column's labels at once")
    calibrate.add_argument("--no-bias", dest="bias", action="store_false",
                           help="fit the temperature only (labels never change)")
    _add_checkpoint(calibrate, runtime=False)

    package = commands.add_parser("package", help="a checkpoint as its chosen ONNX back end only, ready to ship",
                                  description="Write a copy of the checkpoint that holds only the ONNX back end "
                                              "`framing export` chose, its weights split into files of at most "
                                              "--shard-mb MB, and the tokenizer, heads and metadata: it predicts "
                                              "as the checkpoint does, but cannot be trained on or run in fp32.")
    package.add_argument("--checkpoint", required=True, help="the exported checkpoint folder")
    package.add_argument("--output", required=True, help="the folder to write")
    package.add_argument("--shard-mb", type=whole(1), default=45, help="largest weights file in MB (default 45)")
    package.add_argument("--overwrite", action="store_true", help="replace an existing output folder")

    train = commands.add_parser("train", help="fine-tune a model from a YAML config",
                                description="Fine-tune a model from a YAML config and write a checkpoint folder.")
    train.add_argument("--config", required=True, help="YAML config, e.g. configs/babe.yaml")
    train.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a config value, e.g. --set train.lr=3e-5 (repeatable)")
    train.add_argument("--output", help="checkpoint folder to write (default: runs/<config name>)")
    train.add_argument("--overwrite", action="store_true",
                       help="replace an existing checkpoint folder (or start over from an interrupted run)")
    train.add_argument("--resume", action="store_true",
                       help="continue an interrupted run from the training state saved beside --output")
    train.add_argument("--no-progress", action="store_true",
                       help="no progress bars on standard error (they show only on a terminal anyway)")

    pool = commands.add_parser("pool", help="sample unlabelled news sentences for distillation",
                               description="Split articles into sentences, drop boilerplate and sentences of the "
                                           "labelled data, and sample a pool balanced over outlets, topics and years "
                                           "(Parquet, in random order: its first N rows are a pool of N).")
    pool.add_argument("--articles", required=True, nargs="+", metavar="FILE",
                      help="articles with text and outlet columns (topic, date optional), e.g. "
                           "../shared/data/allsides/articles.parquet; several files are pooled and balanced "
                           "over all their outlets (a sentence per row, as anno-lexical's, works too)")
    pool.add_argument("--size", type=whole(1), required=True, help="sentences in the pool")
    pool.add_argument("--exclude", nargs="+", default=[], metavar="FILE",
                      help="labelled files whose sentences must not enter the pool (train, dev, test)")
    pool.add_argument("--seed", type=whole(0), default=0, help="sampling seed (default 0)")
    pool.add_argument("--output", required=True, help="the pool, a .parquet file")
    pool.add_argument("--overwrite", action="store_true", help="replace an existing --output file")

    crossval = commands.add_parser("crossval", help="k-fold cross-validation of a config against the baseline",
                                   description="Pool the config's train and dev data, train on k-1 folds, score the "
                                               "held-out fold; per-fold and mean ± sd macro-F1 and ROC-AUC for the model "
                                               "and the TF-IDF baseline on the same folds.")
    crossval.add_argument("--config", required=True, help="YAML config, e.g. configs/babe.yaml")
    crossval.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                          help="override a config value (repeatable)")
    crossval.add_argument("--folds", type=whole(2), default=5, help="number of folds (default 5)")
    crossval.add_argument("--seed", type=whole(0), default=0, help="seed of the fold split (default 0)")
    crossval.add_argument("--group-by", metavar="COLUMN",
                          help="hold out whole groups of this column together (e.g. outlet): GroupKFold")
    crossval.add_argument("--only-folds", type=whole(1), nargs="+", help="run just these folds (1-based)")
    crossval.add_argument("--teacher", dest="teachers", action="append", default=[], metavar='"CONFIG [KEY=VALUE ...]"',
                          help="with a distill section: train this teacher config (and overrides) on each fold's "
                               "training rows and distil from the fold teachers' average instead of the score "
                               "files, a strict estimate (repeatable)")
    crossval.add_argument("--output", help="write the per-fold results here as JSON; finished folds are kept in "
                                           "<output>.folds/ as they end")
    crossval.add_argument("--resume", action="store_true",
                          help="continue an interrupted run from <output>.folds/ (rewrites --output)")
    crossval.add_argument("--overwrite", action="store_true", help="replace an existing --output file and start over")

    compare = commands.add_parser("compare", help="two checkpoints on the same data, with paired tests",
                                  description="Compare two checkpoints on the same labelled examples: McNemar's exact "
                                              "test and a paired bootstrap of the macro-F1 difference.")
    compare.add_argument("checkpoint_a", help="first checkpoint folder or hub id (A)")
    compare.add_argument("checkpoint_b", help="second checkpoint folder or hub id (B); differences are B - A")
    compare.add_argument("--data", required=True, help="labelled CSV, TSV, JSONL or Parquet file both are scored on")
    compare.add_argument("--text-column", help="default: checkpoint A's training text column")
    compare.add_argument("--label-column", help="default: checkpoint A's training label column")
    compare.add_argument("--output", required=True, help="folder for metrics.json, report.md and plots")
    compare.add_argument("--overwrite", action="store_true", help="replace an existing output folder")

    evaluate = commands.add_parser("evaluate", help="measure a checkpoint on labelled data",
                                   description="Measure a checkpoint on labelled data, beside a TF-IDF baseline.")
    evaluate.add_argument("--data", required=True, help="labelled CSV, TSV, JSONL or Parquet file")
    evaluate.add_argument("--text-column", help="default: the checkpoint's training text column")
    evaluate.add_argument("--label-column", help="default: the checkpoint's training label column")
    evaluate.add_argument("--output", required=True, help="folder for metrics.json, report.md and plots")
    evaluate.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    evaluate.add_argument("--baseline-train", help="data to train the TF-IDF baseline on (default: the checkpoint's training data)")
    evaluate.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF baseline")
    evaluate.add_argument("--group-by", metavar="COLUMN",
                          help="also report the metrics within each value of this column (e.g. BABE's type: "
                               "the outlet's leaning) and the gaps between them")
    _add_checkpoint(evaluate)
    _add_report(commands)
    return parser


def _add_report(commands) -> None:
    report = commands.add_parser("report", help="a scored corpus by outlet, topic and time, as a web page",
                                 description="Read the output of framing predict --articles and write a folder: "
                                             "index.html (opens offline), the plots as PNG and SVG and the tables "
                                             "as CSV. Shares are of sentences in the writer's voice, with 95% "
                                             "intervals from resampling articles.")
    report.add_argument("scored", help="the .parquet, .csv or .jsonl file framing predict --articles wrote")
    report.add_argument("--by", required=True, metavar="COLUMN", help="the kept column to group by (outlet, topic, ...)")
    report.add_argument("--output", required=True, help="the report folder to write")
    report.add_argument("--time", metavar="COLUMN", help="a kept date column: the shares over time")
    report.add_argument("--freq", choices=["month", "quarter", "year"], default="month",
                        help="periods over time (default month)")
    report.add_argument("--date-format", metavar="FORMAT",
                        help="how --time is written, e.g. %%d.%%m.%%Y (default: ISO 8601, or month/day/year)")
    report.add_argument("--filter", dest="filters", action="append", default=[], metavar="COLUMN=VALUE",
                        help="only rows where COLUMN is VALUE (repeatable: all must hold)")
    report.add_argument("--min-articles", type=whole(1), default=20,
                        help="groups with fewer articles are shown but not ranked (default 20)")
    report.add_argument("--overwrite", action="store_true", help="replace a report folder framing wrote earlier")
