"""Corpus scoring on Ray (`framing predict --engine ray`, framing/ray_engine.py): the same rows
as the local engine, a bounded read-ahead, one-line errors without Ray or its client, and a
quiet command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from framing import FramingClassifier
from framing.cli import main
from framing.corpus import LocalEngine, score_corpus
from framing.errors import FramingError

from helpers import corpus_frame, write_input


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


def test_ray_engine_matches_local_engine_row_for_row(classifier, tiny_checkpoint, tmp_path):
    pytest.importorskip("ray")
    from framing.ray_engine import RayEngine

    frame = corpus_frame(50)
    source = tmp_path / "in.parquet"
    write_input(frame, source)
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    score_corpus(
        LocalEngine(classifier),
        source,
        local,
        model=classifier.provenance(),
        text_column="body",
        keep_columns=["doc_id"],
        chunk_size=8,
        progress=False,
    )
    engine = RayEngine(str(tiny_checkpoint), runtime="auto", workers=2, rows_per_batch=4)
    try:
        summary = score_corpus(
            engine,
            source,
            distributed,
            model=classifier.provenance(),
            text_column="body",
            keep_columns=["doc_id"],
            chunk_size=8,
            progress=False,
        )
        import ray

        assert ray.cluster_resources().get("CPU") == 2
        assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}  # loopback only
        # The driver reads ahead by a bounded number of batches, not the whole input:
        consumed = []

        def chunks():
            for index in range(40):
                consumed.append(index)
                yield index, [f"text {index} {i}" for i in range(4)]

        first = next(engine.score(chunks(), lambda n: None))
        assert first[0] == 0 and len(first[1]) == 4
        assert len(consumed) <= 2 * 2 + 1  # 2 batches in flight per actor, then it waits
    finally:
        import ray

        ray.shutdown()
    assert summary["scored"] == 50
    a = [json.loads(line) for line in local.read_text().splitlines()]
    b = [json.loads(line) for line in distributed.read_text().splitlines()]
    assert [(r["row"], r["doc_id"], r["label"]) for r in a] == [(r["row"], r["doc_id"], r["label"]) for r in b]
    for x, y in zip(a, b):
        assert x["scores"] == pytest.approx(y["scores"], abs=1e-6)


def test_ray_engine_without_ray_names_the_extra(tiny_checkpoint, monkeypatch):
    import importlib.util

    from framing.ray_engine import RayEngine

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else object())
    with pytest.raises(FramingError, match=r'pip install "framing\[ray\]"'):
        RayEngine(str(tiny_checkpoint))


def test_a_ray_client_address_without_ray_client_is_one_line(capsys, tiny_checkpoint, tmp_path):
    # Issue 25, case 6: --ray-address ray://HOST:10001 ended in Ray's traceback
    source = tmp_path / "in.csv"
    write_input(corpus_frame(3), source)
    code = main(
        [
            "predict",
            "--checkpoint",
            str(tiny_checkpoint),
            "--input",
            str(source),
            "--text-column",
            "body",
            "--output",
            str(tmp_path / "o.jsonl"),
            "--engine",
            "ray",
            "--ray-address",
            "ray://127.0.0.1:1",
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--ray-address ray://127.0.0.1:1: " in err, err
    assert 'pip install "ray[client]"' in err or "did not start or connect" in err
    assert not (tmp_path / "o.jsonl").exists()


def test_ray_run_on_the_command_line_prints_only_its_summary(tiny_checkpoint, tmp_path):
    """No auth-token notice, deprecation warning or core-worker line from a local Ray run."""
    pytest.importorskip("ray")
    source = tmp_path / "in.jsonl"
    write_input(corpus_frame(20), source)
    output = tmp_path / "out.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "framing",
            "predict",
            "--checkpoint",
            str(tiny_checkpoint),
            "--input",
            str(source),
            "--text-column",
            "body",
            "--output",
            str(output),
            "--engine",
            "ray",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"framing: scored 20 rows (20 in all) into {output}"]
    assert len(output.read_text().splitlines()) == 20
