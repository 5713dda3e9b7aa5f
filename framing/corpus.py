"""Scoring corpora too large for memory: `framing predict --input corpus.parquet --output scored.parquet`.

The input is read in chunks of `chunk_size` rows (framing.data.read_chunks), first once to
check every text and count the rows (so a bad row fails before any scoring), then again to
score. An engine scores each chunk (in this process, or on Ray Data: framing.ray_engine), and
each scored chunk is written as one part file in `<output>.partial/`, under a temporary name
renamed when complete. A run that stops (an error, Ctrl-C, kill -9) leaves its finished parts
there; `resume` skips them, so no row is scored twice or lost. When every chunk is scored the
parts are joined into `<output>` (also renamed into place when complete) and the partial
folder is removed: the output file exists only when it is whole.

Output rows are the input's rows in order: `row` (the input's row number,
framing.data.row_numbers: a line number for JSONL and TXT), any `keep_columns`, then `label`,
`score` and `scores` (every label's probability; `scores.<label>` columns in CSV and Parquet);
for a multi-label checkpoint, `labels` (joined with "|" in CSV) and `scores`; for a checkpoint
with a technique head, `techniques` (those found) and `techniques.<technique>` probabilities.
With `articles`, each row is an article: framing.corpus_articles says what is written then.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from framing.corpus_articles import analyze_compact, article_records, article_table, model_name, result_columns
from framing.corpus_files import (
    check_output_format,
    frame_records,
    frame_table,
    join_parquet,
    passage_scores,
    print_jsonl,
    write_records,
)
from framing.corpus_rows import InputRows
from framing.data import require_columns, texts_of
from framing.errors import FramingError
from framing.kept_columns import check_kept_names, kept_table, mixed_columns, value_kinds, with_columns
from framing.output import atomic_file, ensure_writable, owning


class Engine(Protocol):
    def score(
        self, chunks: Iterator[tuple[int, list[str]]], advance: Callable[[int], None]
    ) -> Iterator[tuple[int, list[dict]]]:
        """Score (chunk number, texts) pairs; yield (chunk number, probabilities [n, C]) in order."""

    classifier: Any  # the FramingClassifier (on this process) that shapes probabilities into outputs


class LocalEngine:
    """Scores in this process with one FramingClassifier: each text's probabilities, or with
    `articles` each text's analysis as an article (framing.corpus_articles.analyze_compact)."""

    def __init__(self, classifier, progress_every: int = 256, articles: bool = False):
        self.classifier = classifier
        self.progress_every = progress_every  # texts per call, so that the bar moves within a chunk
        self.articles = articles

    def score(self, chunks, advance):
        for index, texts in chunks:
            if self.articles:
                analyses = []
                for text in texts:
                    analyses.append(analyze_compact(self.classifier, text))
                    advance(1)
                yield index, analyses
                continue
            pieces = []
            for start in range(0, len(texts), self.progress_every):
                piece = texts[start : start + self.progress_every]
                pieces.append(passage_scores(self.classifier, piece))
                advance(len(piece))
            yield index, np.concatenate(pieces)


@dataclass
class Plan:
    """What a run scores and how; stored in the partial folder so that a resumed run can
    check it continues the same job."""

    input: str
    input_bytes: int
    input_mtime_ns: int
    text_column: str
    keep_columns: list[str]
    mixed_columns: list[str]  # kept columns with values of several kinds in the file: text in Parquet
    chunk_size: int
    selection: Optional[str]  # which rows (framing.corpus_rows): all (None), the first N, a sample
    articles: bool  # each row an article (framing.corpus_articles), or a passage
    model: dict  # what decides the scores: checkpoint weights' sha256, back end, max length, ...
    rows: int
    chunks: int

    def differences(self, other: dict) -> list[str]:
        # a partial folder from before a field existed ran as its default
        defaults = {"articles": False, "selection": None}
        changed = [
            key for key, value in vars(self).items() if key != "model" and other.get(key, defaults.get(key)) != value
        ]
        saved_model = other.get("model") if isinstance(other.get("model"), dict) else {}
        model = [_changed(f"model {key}", saved_model.get(key, UNRECORDED), now) for key, now in self.model.items()]
        return changed + [change for changes in model for change in changes]


UNRECORDED = object()  # a model entry a partial folder from an older framing does not hold


def _changed(name: str, then: Any, now: Any) -> list[str]:
    """What differs between a recorded value and today's, nested dicts named key by key."""
    if then is UNRECORDED:  # nothing then is the same as nothing now (e.g. no technique head)
        return [f"{name} (not recorded then: scored by an older framing)"] if now is not None else []
    if isinstance(then, dict) and isinstance(now, dict):
        return [change for key in {**then, **now} for change in _changed(f"{name}.{key}", then.get(key), now.get(key))]
    return [f"{name} ({then} then, {now} now)"] if then != now else []


def score_corpus(
    engine: Engine,
    input_path: str | Path,
    output_path: Optional[str | Path],
    *,
    model: dict[str, Any],
    text_column: str = "text",
    keep_columns: Sequence[str] = (),
    chunk_size: int = 4096,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    limit: Optional[int] = None,
    sample: Optional[int] = None,
    seed: int = 0,
) -> dict:
    """Score every row of `input_path` into `output_path` (JSON lines on stdout if None).
    `model` describes what decides the scores (FramingClassifier.provenance()): a resumed run
    must match it. An engine with `articles` analyzes each row as an article; `limit` scores
    the first rows only, `sample` a seeded random sample (framing.corpus_rows). Returns a
    summary: rows, rows scored by this run, chunks and the output path."""
    input_path, keep_columns = Path(input_path), list(keep_columns)
    source = InputRows(input_path, chunk_size, limit, sample, seed)
    articles = bool(getattr(engine, "articles", False))
    if articles and engine.classifier.multi_label:
        raise FramingError("--articles needs a single-label checkpoint (this one is multi-label)")
    technique_results = ("techniques",) if engine.classifier.has_techniques else ()
    check_kept_names(
        keep_columns, engine.classifier.labels, result_columns(engine.classifier) if articles else technique_results
    )
    # The parts and the joined output take about twice the output's size, which is rarely
    # more than the input's (rows of scores and any kept columns): ask for that much space.
    needed = 2 * input_path.stat().st_size if input_path.is_file() else 0
    # From the checks of the partial output to the join: one job at a time on an output
    owner = owning(check_output_format(output_path)) if output_path is not None else contextlib.nullcontext()
    with owner:
        return _score(
            engine, source, output_path, model, text_column, keep_columns, resume, overwrite, progress, needed
        )


@dataclass
class ChunkWriter:
    """Writes one scored chunk: a part file of `output`, or JSON lines on standard output (None)."""

    output: Optional[Path]
    classifier: Any
    articles: bool  # the scores are the articles' analyses (framing.corpus_articles)
    keep_columns: list[str]
    mixed: list[str]
    name: str

    def __call__(self, index: int, frame: pd.DataFrame, scores) -> None:
        output, kind = self.output, self.output.suffix.lower() if self.output is not None else ".jsonl"
        if self.articles:
            techniques = self.classifier.technique_labels  # none without a technique head
            rows = (
                article_records(frame, scores, self.keep_columns, self.name, techniques)
                if kind == ".jsonl"
                else article_table(
                    frame,
                    scores,
                    kept_table(frame, self.keep_columns, kind, self.mixed),
                    self.classifier.labels,
                    self.name,
                    techniques,
                )
            )
            print_jsonl(rows) if output is None else _write_part(output, index, rows)
        elif kind != ".jsonl":  # CSV, Parquet: columns from the array
            kept = kept_table(frame, self.keep_columns, kind, self.mixed)
            _write_part(output, index, frame_table(frame, self.classifier, scores, kept))
        elif output is None:
            print_jsonl(frame_records(frame, self.classifier, scores, self.keep_columns))
        else:
            _write_part(output, index, frame_records(frame, self.classifier, scores, self.keep_columns))


def _score(
    engine, source: InputRows, output_path, model, text_column, keep_columns, resume, overwrite, progress, needed
) -> dict:
    input_path, chunk_size = source.path, source.chunk_size
    output = _check_output(output_path, input_path, resume, overwrite, needed)
    if output is not None and resume and _finished(output):
        rows = json.loads((_partial(output) / "plan.json").read_text()).get("rows")
        shutil.rmtree(_partial(output))  # killed between renaming the output and cleaning up
        return {"rows": rows, "scored": 0, "output": str(output), "note": "already complete"}
    sizes, mixed = _check_input(source, text_column, keep_columns)
    rows, chunks = sum(sizes), len(sizes)
    stat = input_path.stat()
    articles = bool(getattr(engine, "articles", False))
    plan = Plan(
        str(input_path.resolve()),
        stat.st_size,
        stat.st_mtime_ns,
        text_column,
        keep_columns,
        mixed,
        chunk_size,
        source.selection(),
        articles,
        dict(model),
        rows,
        chunks,
    )
    done = _open_partial(output, plan, resume) if output is not None else set()
    write = ChunkWriter(output, engine.classifier, articles, keep_columns, mixed, model_name(model))

    already = sum(sizes[i] for i in done)
    bar = tqdm(
        total=rows,
        initial=already,
        unit="articles" if articles else "rows",
        desc="scoring",
        disable=not progress,
        smoothing=0.1,
    )
    frames: dict[int, pd.DataFrame] = {}  # chunks handed to the engine

    def pending() -> Iterator[tuple[int, list[str]]]:
        for index, frame in enumerate(source.chunks()):
            if index not in done:
                frames[index] = frame
                yield index, texts_of(with_columns(frame, [text_column]), text_column, str(input_path))

    scored = 0
    for index, probabilities in engine.score(pending(), bar.update):
        write(index, frames.pop(index), probabilities)
        scored += len(probabilities)
    bar.close()
    if output is not None:
        _join_parts(output, chunks)
    return {"rows": rows, "scored": scored, "chunks": chunks, "output": str(output) if output else None}


def _check_output(output_path, input_path: Path, resume: bool, overwrite: bool, needed_bytes: int) -> Optional[Path]:
    if output_path is None:
        if resume:
            raise FramingError("--resume needs --output (there is nothing to resume on standard output)")
        return None
    output = check_output_format(output_path)
    if output.exists() and input_path.exists() and output.resolve() == input_path.resolve():
        raise FramingError(f"{output}: is the input file; write the scores to another file")
    partial = _partial(output)
    if resume and not partial.exists():
        if output.exists():
            raise FramingError(f"{output}: already complete, nothing to resume (--overwrite scores it again)")
        raise FramingError(f"{partial}: nothing to resume (no partial output from an earlier run)")
    if partial.exists() and not (resume or overwrite):
        raise FramingError(
            f"{partial}: an interrupted run left partial output here; pass --resume to continue it "
            f"or --overwrite to start over"
        )
    # resuming: the partial output is ours to continue, whatever is at `output`
    ensure_writable(output, overwrite or resume, needed_bytes)
    return output


def _check_input(source: InputRows, text_column: str, keep_columns: list[str]) -> tuple[list[int], list[str]]:
    """Read the input once, checking every text; returns the size of each chunk and the kept
    columns whose values are of several kinds (framing.kept_columns). In JSONL each row has
    its own keys: a column is missing only when no row has it, whatever the chunk size."""
    path = source.path
    keyed = path.suffix.lower() == ".jsonl"
    needed = [text_column] + keep_columns
    sizes: list[int] = []
    seen: dict[str, None] = {}  # every column of the file, in order of appearance
    kinds: dict[str, set[str]] = {c: set() for c in keep_columns}
    chunks = source.chunks()
    for frame in chunks:
        seen.update(dict.fromkeys(frame.columns))
        if not keyed:
            require_columns(frame, needed, str(path))
        frame = with_columns(frame, needed)
        if keyed and text_column not in seen:  # no text in any row so far: is it anywhere? (either way
            # this chunk's first row has no text, so the check below or texts_of raises)
            for later in chunks:
                seen.update(dict.fromkeys(later.columns))
            require_columns(pd.DataFrame(columns=list(seen)), [text_column], str(path))
        texts_of(frame, text_column, str(path))
        for column, found in value_kinds(frame, keep_columns).items():
            kinds[column] |= found
        sizes.append(len(frame))
    if not sizes:
        raise FramingError(f"{path}: no rows")
    require_columns(pd.DataFrame(columns=list(seen)), needed, str(path))
    return sizes, mixed_columns(kinds)


def _partial(output: Path) -> Path:
    return output.parent / f"{output.name}.partial"


def _finished(output: Path) -> bool:
    """Whether `output` is the joined result of the job in its partial folder (a run killed
    after renaming it into place, before removing the folder). An older output beside the
    partial folder of an interrupted --overwrite run is not."""
    marker = _partial(output) / "joined.json"
    if not (output.is_file() and marker.is_file()):
        return False
    stat = output.stat()
    return json.loads(marker.read_text()) == {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _open_partial(output: Path, plan: Plan, resume: bool) -> set[int]:
    """The chunk numbers already scored (none for a fresh run)."""
    partial = _partial(output)
    manifest = partial / "plan.json"
    if resume and partial.exists():
        saved = json.loads(manifest.read_text()) if manifest.is_file() else {}
        changed = plan.differences(saved)
        if changed:
            raise FramingError(
                f"{partial}: was started with a different {', '.join(changed)}; resume with the "
                f"same input, options and checkpoint, or pass --overwrite to start over"
            )
        return {int(p.name.split("-")[1].split(".")[0]) for p in partial.glob(f"part-*{output.suffix}")}
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    manifest.write_text(json.dumps(vars(plan), indent=2) + "\n")
    return set()


def _write_part(output: Path, index: int, rows: list[dict] | pd.DataFrame) -> None:
    write_records(_partial(output) / f"part-{index:06d}{output.suffix}", rows)


def _join_parts(output: Path, chunks: int) -> None:
    """Concatenate the parts in order into `output` (temporary name, then renamed)."""
    partial = _partial(output)
    parts = [partial / f"part-{i:06d}{output.suffix}" for i in range(chunks)]
    missing = [p.name for p in parts if not p.is_file()]
    if missing:
        raise FramingError(f"{partial}: parts missing ({', '.join(missing[:3])}); run again with --resume")
    with atomic_file(output) as staging:
        kind = output.suffix.lower()
        if kind == ".jsonl":
            with staging.open("wb") as out:
                for part in parts:
                    with part.open("rb") as handle:
                        shutil.copyfileobj(handle, out)
        elif kind == ".csv":
            columns = None
            for number, part in enumerate(parts):  # one part in memory at a time
                frame = pd.read_csv(part, dtype=str, keep_default_na=False)
                columns = list(frame.columns) if columns is None else columns
                frame[columns].to_csv(staging, index=False, mode="w" if number == 0 else "a", header=number == 0)
        else:
            join_parquet(parts, staging)
        stat = staging.stat()  # a rename keeps size and mtime: how a resume recognises this output
        (partial / "joined.json").write_text(json.dumps({"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}))
    shutil.rmtree(partial)
