"""The `framing` command. Each subcommand parses its arguments and calls one function:
`predict`, `analyze` and `serve` call the predictor; `train`, `evaluate`, `crossval`, `compare`,
`export`, `calibrate` and `pool` dispatch to the `training` package.
Errors in the user's input print one line (`framing: error: ...`) and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Optional, Sequence

from framing.cli_parser import build_parser
from framing.errors import FramingError




def run_predict(args: argparse.Namespace) -> None:
    from framing.corpus import check_output_format, write_records
    from framing.output import ensure_writable
    from framing.predictor import FramingClassifier

    if bool(args.texts) == bool(args.input):
        raise FramingError("give passages as arguments or --input FILE (one of the two)")
    named = [text for text in args.texts if text != "-" and os.path.isfile(text)]  # a file, not a passage
    if named:
        raise FramingError(f"{named[0]} is a file, not a passage: label its rows with --input {named[0]}, or an "
                           f"article with framing analyze {named[0]} (a passage can come on standard input: -)")
    if args.texts == ["-"]:  # one passage per line of standard input; blank lines are skipped
        args.texts = [line for line in read_stdin().splitlines() if line.strip()]
        if not args.texts:
            raise FramingError("standard input: no passages")
    if args.input:
        return run_predict_corpus(args)
    if args.resume or args.engine != "local" or args.articles or args.limit:
        raise FramingError("--resume, --engine, --articles and --limit apply to --input files only (an article "
                           "given as text: framing analyze)")
    if args.output:
        ensure_writable(check_output_format(args.output), args.overwrite)  # before the work
    classifier = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime, batch_size=args.batch_size)
    records = [{"text": text, **record} for text, record in zip(args.texts, classifier.records(args.texts))]
    if args.output:
        write_records(Path(args.output), records)
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))


def run_predict_corpus(args: argparse.Namespace) -> None:
    from framing.corpus import LocalEngine, score_corpus
    from framing.predictor import FramingClassifier

    # Loaded here for the Ray engine too: a bad checkpoint fails before Ray starts, and a
    # missing ONNX file is built once, not once per actor.
    classifier = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime, batch_size=args.batch_size)
    folder = Path(classifier.checkpoint_dir)
    if args.engine == "ray":
        from framing.ray_engine import RayEngine

        engine = RayEngine(str(folder.resolve()), args.runtime, args.batch_size, args.workers,
                           args.threads_per_worker, args.ray_address, classifier=classifier, articles=args.articles)
    else:
        engine = LocalEngine(classifier, articles=args.articles)
    chunk_size = args.chunk_size or (256 if args.articles else 4096)
    summary = score_corpus(engine, args.input, args.output, model=classifier.provenance(),
                           text_column=args.text_column, keep_columns=args.keep_columns, chunk_size=chunk_size,
                           resume=args.resume, overwrite=args.overwrite, progress=show_progress(args),
                           limit=args.limit)
    if summary.get("note") == "already complete":
        print(f"framing: {args.output} was already complete ({summary['rows']} rows); nothing to score",
              file=sys.stderr)
    elif args.output:
        print(f"framing: scored {summary['scored']} rows ({summary['rows']} in all) into {args.output}", file=sys.stderr)


def run_analyze(args: argparse.Namespace) -> None:
    from framing.predictor import FramingClassifier

    article = read_article(args.file, args.format)
    analysis = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime).analyze(article)
    if args.json:
        print(json.dumps(analysis, ensure_ascii=False, indent=2))
        return
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    print(render_analysis(analysis, color))


def read_article(name: str, source_format: str = "auto"):
    """The article in a text or HTML file (a .html/.htm name is a page), or in standard input
    for "-"; refused by name when it is neither or holds no article."""
    from framing.news_page import article_from, read_document

    if source_format == "auto" and Path(name).suffix.lower() in (".html", ".htm"):
        source_format = "html"
    document = read_stdin() if name == "-" else read_document(name)
    return article_from(document, source_format, source="standard input" if name == "-" else name)


def run_contrast(args: argparse.Namespace) -> None:
    from framing.predictor import FramingClassifier

    if len(args.files) < 2:  # contrast_articles checks too; here before any file is read or the model loads
        raise FramingError(f"contrast needs two articles or more, got {len(args.files)}")
    if args.files.count("-") > 1:
        raise FramingError("standard input (-) can be only one of the articles")
    articles = [read_article(name, args.format) for name in args.files]  # every file read before the model loads
    comparison = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime).contrast(articles, top=args.top)
    for entry, name in zip(comparison["articles"], args.files):
        entry["file"] = name
    print(json.dumps(comparison, ensure_ascii=False, indent=2))


def run_extension(args: argparse.Namespace) -> None:
    from framing.browser_extension import ORIGIN, write_extension

    target = write_extension(args.output, overwrite=args.overwrite)
    how = ("load it in chrome://extensions (Developer mode, Load unpacked)" if target.suffix.lower() != ".zip"
           else "unzip it and load the folder in chrome://extensions (Developer mode, Load unpacked)")
    print(f"framing: wrote the extension to {target}; {how}, then run: framing serve --allow-origin {ORIGIN}",
          file=sys.stderr)


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars for long work, on a terminal only (not in logs or pipes), unless --no-progress."""
    return not args.no_progress and sys.stderr.isatty()


def read_stdin() -> str:
    """Standard input as UTF-8 text (see framing.news_page.decode_document)."""
    from framing.news_page import decode_document

    return decode_document(sys.stdin.buffer.read(), "standard input")


def render_analysis(analysis: dict, color: bool) -> str:
    """Terminal view: each sentence on its own line with its label; loaded words in bold
    (or [[brackets]] without colour); editorializing in red, quoted opinion in magenta."""
    text = analysis["text"]
    style = (lambda code, s: f"\033[{code}m{s}\033[0m") if color else (lambda code, s: s)
    flag = analysis["flag_label"]
    lines = []
    for sentence in analysis["sentences"]:
        pieces, cursor = [], sentence["start"]
        for word in sentence["highlights"]:
            pieces.append(text[cursor : word["start"]])
            pieces.append(style("1;4", word["text"]) if color else f"[[{word['text']}]]")
            cursor = word["end"]
        pieces.append(text[cursor : sentence["end"]])
        body = " ".join("".join(pieces).split())
        p = sentence["scores"][flag]
        if sentence["label"] == flag:
            tag = f"{'QUOTED OPINION' if sentence['quoted'] else flag.upper()} {p:.0%}"
            lines.append(style("35" if sentence["quoted"] else "31", f"[{tag}] ") + body)
        else:  # its own label's probability: with three labels or more, not 1 - p
            lines.append(style("2", f"[{sentence['label']} {sentence['score']:.0%}] ") + body)
    if not analysis.get("marks_words", True):
        lines += ["", "(no words marked: this model was trained without marked words)"]
    summary = analysis["summary"]
    lines += ["", f"{summary['sentences']} sentences; {summary['editorializing_sentences']} editorializing "
                  f"({summary['editorializing_share']:.0%}; {summary['editorializing_share_by_length']:.0%} by length): "
                  f"{summary['author_voice_editorializing']} in the writer's voice, "
                  f"{summary['quoted_editorializing']} in quotes; mean probability {summary['mean_probability']:.2f}"]
    return "\n".join(lines)


def run_report(args: argparse.Namespace) -> None:
    from framing.report import write_report

    tables = write_report(args.scored, args.output, args.by, args.time, args.freq, args.filters, args.min_articles,
                          args.date_format, args.overwrite)
    groups = tables["groups"]
    print(f"framing: report of {int(groups['articles'].sum())} articles in {len(groups)} {args.by} groups written to "
          f"{Path(args.output) / 'index.html'}", file=sys.stderr)
    for note in tables["notes"].get("note", []):
        print(f"framing: note: {note}", file=sys.stderr)


def run_serve(args: argparse.Namespace) -> None:
    from framing.predictor import FramingClassifier
    from framing.server import Limits, check_origins, create_app, listen, serve

    check_origins(args.allow_origin)  # before the model loads
    sockets = listen(args.host, args.port)  # a busy port or a mistyped host: one line, before the model loads
    app = create_app(FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime),
                     Limits(timeout_s=args.timeout), allow_origins=args.allow_origin)
    serve(app, sockets)


def run_export(args: argparse.Namespace) -> None:
    from framing.training.backend_choice import export_and_select

    result = export_and_select(args.checkpoint, args.data, args.tolerance, args.keep_all)
    for name, row in result["measured"].items():
        print(f"{name:14s} dev macro-F1 {row['dev_macro_f1']:.4f}  {row['sentences_per_second']:7.1f} sentences/s")
    print(f"chosen: {result['chosen']} (recorded in {result['checkpoint']}/framing.json)")
    if result["removed"]:
        print(f"removed the other back ends' files (--keep-all keeps them): {', '.join(result['removed'])}")
    if result["stale_calibration"]:
        print(f"note: {result['stale_calibration']}", file=sys.stderr)


def run_calibrate(args: argparse.Namespace) -> None:
    from framing.training.calibration import calibrate_checkpoint

    fit = calibrate_checkpoint(args.checkpoint, args.data, args.text_column, args.label_columns, args.bias)
    bias = ", ".join(f"{b:+.4f}" for b in fit["logit_bias"])
    columns = fit.get("by_label_column") or {fit["label_column"]: fit}
    print(f"temperature {fit['temperature']:.4f}, bias [{bias}] on {fit['n']} rows of {fit['data']} "
          f"(label column{'s' if len(columns) > 1 else ''} {', '.join(columns)}, back end {fit['runtime']})")
    spread = fit["uncertainty"]  # how far the rows pin the fit down: a small sample, a wide interval
    print(f"95% interval over {spread['resamples']} resamples of the rows: temperature "
          + "; bias ".join(f"{low:.4f} to {high:.4f}" for low, high in [spread["temperature_ci95"],
                                                                        *spread.get("logit_bias_ci95", [])]))
    for column, figures in columns.items():
        for key in ("ece", "macro_f1"):
            print(f"{column + ' ' if len(columns) > 1 else ''}{key:9s} {figures['before'][key]:.4f} before (the "
                  f"calibration it replaces), {figures['uncalibrated'][key]:.4f} uncalibrated, "
                  f"{figures['after'][key]:.4f} after")
    if fit.get("words"):
        words = fit["words"]
        print(f"word threshold {words['before']['threshold']:.2f} -> {words['after']['threshold']:.2f} "
              f"(word F1 {words['before']['f1']:.4f} -> {words['after']['f1']:.4f}, column {words['column']})")
    print(f"recorded in {fit['checkpoint']}/framing.json")


def run_package(args: argparse.Namespace) -> None:
    from framing.training.package import package_checkpoint

    folder = package_checkpoint(args.checkpoint, args.output, args.shard_mb, args.overwrite)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.iterdir()) if p.is_file())
    print(f"wrote {folder}: {sizes}")


def run_train(args: argparse.Namespace) -> None:
    from framing.training.config import load_config
    from framing.training.train import train

    config = load_config(args.config, args.overrides)
    output = args.output or os.path.join("runs", config.name)
    # Bars only on a terminal; each epoch's log line (loss, dev macro-F1, speed) always.
    path = train(config, output, overwrite=args.overwrite, resume=args.resume, progress=show_progress(args),
                 on_epoch=lambda entry: print(json.dumps(entry), file=sys.stderr, flush=True))
    print(f"wrote checkpoint {path}")


def run_pool(args: argparse.Namespace) -> None:
    from framing.training.pool import build_pool

    counts = build_pool(args.articles, args.output, args.size, args.exclude, args.seed, args.overwrite)
    print(json.dumps(counts))
    print(f"wrote {args.output}")


def run_crossval(args: argparse.Namespace) -> None:
    from framing.training.config import load_config
    from framing.output import ensure_writable, write_json
    from framing.training.crossval import crossval
    from framing.training.crossval_report import print_row, render_crossval

    wrong = [fold for fold in args.only_folds or [] if fold > args.folds]
    if wrong:
        raise FramingError(f"--only-folds {' '.join(map(str, wrong))}: there are only {args.folds} folds")
    work = Path(f"{args.output}.folds") if args.output else None
    if args.resume and work is None:
        raise FramingError("--resume needs --output: the finished folds are kept beside it")
    if args.resume and not work.is_dir():
        raise FramingError(f"{work}: no kept folds to resume from; run without --resume to start")
    if work is not None and not args.resume:
        if work.exists() and not args.overwrite:
            raise FramingError(f"{work}: an earlier run kept its folds here; pass --resume to continue it or "
                               f"--overwrite to start over")
        ensure_writable(args.output, args.overwrite)
        shutil.rmtree(work, ignore_errors=True)
    teachers = [teacher_config(spec) for spec in args.teachers]
    result = crossval(load_config(args.config, args.overrides), args.folds, args.seed, args.only_folds, print_row,
                      args.group_by, teachers, work, args.resume)
    print(render_crossval(result))
    if args.output:
        write_json(args.output, {"config": args.config, "overrides": args.overrides, "group_by": args.group_by,
                                 "teachers": args.teachers, **result}, True)  # checked above


def teacher_config(spec: str):
    """`--teacher "configs/x.yaml train.epochs=5"`: a config path, then its overrides."""
    import shlex

    from framing.training.config import load_config

    path, *overrides = shlex.split(spec) or [""]
    bad = [item for item in overrides if "=" not in item]
    if not path or bad:
        raise FramingError(f"--teacher {spec!r}: expected a config path followed by KEY=VALUE overrides")
    return load_config(path, overrides)


def run_compare(args: argparse.Namespace) -> None:
    from framing.training.compare import compare

    result = compare(args.checkpoint_a, args.checkpoint_b, args.data, args.output, args.text_column,
                     args.label_column, args.overwrite)
    boot, test = result["paired_bootstrap"], result["mcnemar"]
    print(f"A {result['A']['macro_f1']:.4f}  B {result['B']['macro_f1']:.4f}  difference {boot['macro_f1_difference']:+.4f} "
          f"(95% CI {boot['ci95'][0]:+.4f} to {boot['ci95'][1]:+.4f}, bootstrap p {boot['p_value']:.3f}; "
          f"McNemar p {test['p_value']:.3f}); report in {args.output}")


def run_evaluate(args: argparse.Namespace) -> None:
    from framing.training.evaluate import evaluate

    metrics = evaluate(args.checkpoint, args.data, args.output, text_column=args.text_column,
                       label_column=args.label_column, overwrite=args.overwrite,
                       baseline_train=None if args.no_baseline else (args.baseline_train or "auto"),
                       runtime=args.runtime, group_by=args.group_by)
    model = metrics["model"]
    print(f"macro-F1 {model['macro_f1']:.4f} (95% CI {model['macro_f1_ci95'][0]:.3f}-{model['macro_f1_ci95'][1]:.3f}), "
          f"accuracy {model['accuracy']:.4f}, ECE {model['ece']:.4f}; report in {args.output}")


# top-level module -> the extra that installs it
EXTRAS = {"ray": "ray", "pyarrow": "parquet", **{module: "train" for module in (
    "torch", "transformers", "safetensors", "datasets", "sklearn", "matplotlib", "onnx", "scipy")}}


def missing_extra(args: argparse.Namespace, error: ModuleNotFoundError) -> str:
    """One line naming the extra to install for a missing optional module."""
    module = (error.name or "").split(".")[0]
    extra = "report" if args.command == "report" and module in ("matplotlib", "pyarrow") else EXTRAS.get(module)
    if extra is None:
        raise error  # not an optional extra: a real bug, keep the traceback
    return f"framing {args.command} needs {module}, which comes with an extra: pip install \"framing[{extra}]\""


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
    if args.command in ("train", "evaluate", "export", "calibrate", "crossval", "compare", "package"):
        quiet_transformers()
    handlers = {"predict": run_predict, "analyze": run_analyze, "contrast": run_contrast, "extension": run_extension, "serve": run_serve, "train": run_train,
                "evaluate": run_evaluate, "export": run_export, "calibrate": run_calibrate, "crossval": run_crossval,
                "compare": run_compare, "pool": run_pool, "package": run_package, "report": run_report}
    try:
        handlers[args.command](args)
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
