"""Corpus scoring: chunked reading and writing in every output format, resuming after a crash
or kill -9 without lost or duplicated rows, clear errors before any work, and one job per
output (the Ray engine is tested in test_corpus_ray.py, kept columns in test_corpus_columns.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from framing import FramingClassifier, corpus
from framing.cli import main
from framing.corpus import LocalEngine, score_corpus
from framing.errors import FramingError

from helpers import REPO, corpus_frame, interrupted, read_output, write_input


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


@pytest.mark.parametrize("in_suffix,out_suffix", [(".csv", ".parquet"), (".parquet", ".csv"), (".jsonl", ".jsonl")])
def test_chunked_scoring_matches_in_memory_predict(classifier, tmp_path, in_suffix, out_suffix):
    frame = corpus_frame(23)
    source, output = tmp_path / f"in{in_suffix}", tmp_path / f"scored{out_suffix}"
    write_input(frame, source)
    summary = score_corpus(
        LocalEngine(classifier),
        source,
        output,
        model=classifier.provenance(),
        text_column="body",
        keep_columns=["doc_id"],
        chunk_size=5,
        progress=False,
    )
    assert summary == {"rows": 23, "scored": 23, "chunks": 5, "output": str(output)}
    scored = read_output(output)
    expected = classifier(frame["body"].tolist(), top_k=None)
    assert scored["row"].tolist() == list(range(1, 24))
    assert scored["doc_id"].tolist() == frame["doc_id"].tolist()
    assert scored["label"].tolist() == [e[0]["label"] for e in expected]
    for label in classifier.labels:
        want = [next(x["score"] for x in e if x["label"] == label) for e in expected]
        assert scored[f"scores.{label}"].tolist() == pytest.approx(want, abs=1e-6)
    assert not (tmp_path / f"scored{out_suffix}.partial").exists()
    with pytest.raises(FramingError, match="already complete, nothing to resume"):
        score_corpus(
            LocalEngine(classifier), source, output, model=classifier.provenance(), text_column="body", resume=True
        )


class Crash(Exception):
    pass


def test_resume_after_crash_scores_only_what_is_left(classifier, tmp_path, monkeypatch):
    frame = corpus_frame(30)
    source, output = tmp_path / "in.csv", tmp_path / "scored.parquet"
    write_input(frame, source)
    real_write = corpus._write_part
    monkeypatch.setattr(corpus, "_write_part", interrupted(real_write, 3, Crash))  # crashes writing the third part
    with pytest.raises(Crash):
        score_corpus(
            LocalEngine(classifier),
            source,
            output,
            model=classifier.provenance(),
            text_column="body",
            chunk_size=7,
            progress=False,
        )
    monkeypatch.setattr(corpus, "_write_part", real_write)
    assert not output.exists() and sorted(p.name for p in (tmp_path / "scored.parquet.partial").iterdir()) == [
        "part-000000.parquet",
        "part-000001.parquet",
        "plan.json",
    ]

    with pytest.raises(FramingError, match="pass --resume to continue it or --overwrite"):
        score_corpus(
            LocalEngine(classifier), source, output, model=classifier.provenance(), text_column="body", chunk_size=7
        )
    with pytest.raises(FramingError, match="different chunk_size"):
        score_corpus(
            LocalEngine(classifier),
            source,
            output,
            model=classifier.provenance(),
            text_column="body",
            chunk_size=8,
            resume=True,
        )
    summary = score_corpus(
        LocalEngine(classifier),
        source,
        output,
        model=classifier.provenance(),
        text_column="body",
        chunk_size=7,
        resume=True,
        progress=False,
    )
    assert summary["scored"] == 30 - 14
    full = tmp_path / "full.parquet"
    score_corpus(
        LocalEngine(classifier),
        source,
        full,
        model=classifier.provenance(),
        text_column="body",
        chunk_size=7,
        progress=False,
    )
    pd.testing.assert_frame_equal(pd.read_parquet(output), pd.read_parquet(full))


def test_resume_refuses_a_changed_input(classifier, tmp_path, monkeypatch):
    source, output = tmp_path / "in.jsonl", tmp_path / "scored.jsonl"
    write_input(corpus_frame(12), source)
    monkeypatch.setattr(corpus, "_join_parts", interrupted(corpus._join_parts, 1, Crash))
    with pytest.raises(Crash):
        score_corpus(
            LocalEngine(classifier),
            source,
            output,
            model=classifier.provenance(),
            text_column="body",
            chunk_size=5,
            progress=False,
        )
    monkeypatch.undo()
    write_input(corpus_frame(13), source)
    with pytest.raises(FramingError, match="different input_bytes"):
        score_corpus(
            LocalEngine(classifier),
            source,
            output,
            model=classifier.provenance(),
            text_column="body",
            chunk_size=5,
            resume=True,
        )


def test_bad_row_fails_before_any_scoring(classifier, tmp_path):
    frame = corpus_frame(40)
    frame.loc[33, "body"] = "   "
    source, output = tmp_path / "in.csv", tmp_path / "scored.jsonl"
    write_input(frame, source)
    with pytest.raises(FramingError, match=r"in.csv: row 34, column 'body': empty text"):
        score_corpus(
            LocalEngine(classifier), source, output, model=classifier.provenance(), text_column="body", chunk_size=8
        )
    assert not output.exists() and not (tmp_path / "scored.jsonl.partial").exists()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--output", "{tmp}/out.xlsx"], "unknown output format '.xlsx'"),
        (["--output", "{tmp}/out.jsonl", "--resume"], "nothing to resume"),
        (["--keep-columns", "nope", "--output", "{tmp}/o.jsonl"], "no column 'nope' (columns: doc_id, body)"),
        (["--chunk-size", "0"], "argument --chunk-size: must be at least 1, got 0"),
    ],
)
def test_corpus_cli_errors_come_before_the_work(capsys, tiny_checkpoint, tmp_path, argv, message):
    source = tmp_path / "in.csv"
    write_input(corpus_frame(5), source)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code = main(
        [
            "predict",
            "--checkpoint",
            str(tiny_checkpoint),
            "--input",
            str(source),
            "--text-column",
            "body",
            "--no-progress",
            *argv,
        ]
    )
    assert code == 2 and message in capsys.readouterr().err


def test_kill_9_mid_scoring_then_resume(tiny_checkpoint, tmp_path):
    """A real `framing predict` killed with SIGKILL after some chunks: the output file does not
    exist, the partial folder does, and --resume completes it with every row exactly once."""
    frame = corpus_frame(1200)
    source, output = tmp_path / "in.jsonl", tmp_path / "scored.jsonl"
    write_input(frame, source)
    command = [
        sys.executable,
        "-m",
        "framing.cli",
        "predict",
        "--checkpoint",
        str(tiny_checkpoint),
        "--fp32",
        "--input",
        str(source),
        "--text-column",
        "body",
        "--output",
        str(output),
        "--chunk-size",
        "50",
        "--no-progress",
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = tmp_path / "scored.jsonl.partial"
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline and len(list(partial.glob("part-*"))) < 2:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    parts = len(list(partial.glob("part-*")))
    if output.exists() or not 2 <= parts < 24:
        pytest.fail(f"the kill did not land mid-run ({parts} parts): {process.stderr.read().decode()[-2000:]}")

    resumed = subprocess.run(command + ["--resume"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"scored {1200 - 50 * parts} rows (1200 in all)" in resumed.stderr
    rows = [json.loads(line)["row"] for line in output.read_text().splitlines()]
    assert rows == list(range(1, 1201))
    assert not partial.exists()


def test_a_second_job_on_a_running_jobs_output_is_refused(classifier, tmp_path):
    # Issue 25, case 1: job B (--overwrite) started beside a running job A; A wrote its parts
    # into B's partial folder and both exited 0 with rows missing from the output
    from framing.output import owning

    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    write_input(corpus_frame(12), source)
    options = dict(model=classifier.provenance(), text_column="body", chunk_size=4, progress=False)
    with owning(output):  # job A, running
        for extra in ({}, {"overwrite": True}, {"resume": True}):
            with pytest.raises(
                FramingError,
                match=rf"out.csv: job pid {os.getpid()} \(started .*\) is writing this "
                r"output; wait for it",
            ):
                score_corpus(LocalEngine(classifier), source, output, **options, **extra)
        assert not output.exists() and not (tmp_path / "out.csv.partial").exists()
    assert score_corpus(LocalEngine(classifier), source, output, **options)["rows"] == 12  # A is done: B may run
    assert len(pd.read_csv(output)) == 12 and not list(tmp_path.glob(".out.csv.lock"))


def test_a_killed_jobs_lock_goes_with_it(classifier, tmp_path):
    script = (
        "import sys, time\nfrom pathlib import Path\nfrom framing.output import owning\n"
        "with owning(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(600)\n"
    )
    output = tmp_path / "out.jsonl"
    job = subprocess.Popen([sys.executable, "-c", script, str(output)], stdout=subprocess.PIPE, text=True)
    try:
        assert job.stdout.readline().strip() == "held"
        source = tmp_path / "in.csv"
        write_input(corpus_frame(4), source)
        with pytest.raises(FramingError, match=f"job pid {job.pid} "):
            score_corpus(
                LocalEngine(classifier),
                source,
                output,
                model=classifier.provenance(),
                text_column="body",
                progress=False,
            )
    finally:
        job.kill()
        job.wait()
    summary = score_corpus(
        LocalEngine(classifier), source, output, model=classifier.provenance(), text_column="body", progress=False
    )
    assert summary["rows"] == 4
