"""Faults: a full disk before or during the work, and an output folder that cannot be made.
Each gives one clear error line, and what was complete is kept (and resumable)."""

from __future__ import annotations

import errno
import json
from collections import namedtuple

import pandas as pd
import pytest
import yaml

from framing import corpus, output
from framing.cli import main
from framing.errors import FramingError
from framing.training.resume import state_path

from helpers import EDITORIAL, NEUTRAL, tiny_config_dict

Usage = namedtuple("Usage", "total used free")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def no_space(path):
    return OSError(errno.ENOSPC, "No space left on device", str(path))


@pytest.fixture
def config_file(tiny_base, tiny_data, tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(tiny_config_dict(tiny_base, tiny_data, save_state_every=1), sort_keys=False))
    return path


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.csv"
    pd.DataFrame({"text": (NEUTRAL + EDITORIAL) * 2}).to_csv(path, index=False)
    return path


def test_too_little_disk_space_fails_before_training(capsys, config_file, tmp_path, monkeypatch, tiny_base):
    (tiny_base / "model.safetensors").stat()  # the estimate is from the base weights' size
    monkeypatch.setattr(output.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 1000, 1000))
    code, err = run(capsys, "train", "--config", config_file, "--output", tmp_path / "ckpt")
    assert code == 2 and "MiB free on this disk" in err and "needed for ckpt" in err
    assert not (tmp_path / "ckpt").exists() and not state_path(tmp_path / "ckpt").exists()


def test_disk_full_while_saving_the_checkpoint_keeps_the_training_state(capsys, config_file, tmp_path, monkeypatch):
    import safetensors.torch as checkpoint  # framing.checkpoint imports save_file from it when saving

    real = checkpoint.save_file

    def full(tensors, filename, *args, **kwargs):
        raise no_space(filename)

    monkeypatch.setattr(checkpoint, "save_file", full)
    code, err = run(capsys, "train", "--config", config_file, "--output", tmp_path / "ckpt")
    assert code == 2 and "No space left on device" in err and "Traceback" not in err
    assert not (tmp_path / "ckpt").exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]  # no half-written folder left behind
    assert state_path(tmp_path / "ckpt").is_file()  # the finished training is not lost
    monkeypatch.setattr(checkpoint, "save_file", real)
    code, err = run(capsys, "train", "--config", config_file, "--output", tmp_path / "ckpt", "--resume")
    assert code == 0, err
    assert json.loads((tmp_path / "ckpt" / "metrics.json").read_text())["resumed"] is True


def test_disk_full_while_scoring_keeps_finished_chunks(capsys, tiny_checkpoint, corpus_file, tmp_path, monkeypatch):
    real, calls = corpus._write_part, []

    def fill_up(out, index, records):
        calls.append(index)
        if len(calls) == 3:
            raise no_space(out)
        real(out, index, records)

    monkeypatch.setattr(corpus, "_write_part", fill_up)
    scored = tmp_path / "scored.jsonl"
    argv = [
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        corpus_file,
        "--output",
        scored,
        "--chunk-size",
        "5",
        "--no-progress",
    ]
    code, err = run(capsys, *argv)
    assert code == 2 and "No space left on device" in err
    assert not scored.exists() and len(list((tmp_path / "scored.jsonl.partial").glob("part-*"))) == 2
    monkeypatch.setattr(corpus, "_write_part", real)
    code, err = run(capsys, *argv, "--resume")
    assert code == 0 and "scored 22 rows (32 in all)" in err
    assert [json.loads(line)["row"] for line in scored.read_text().splitlines()] == list(range(1, 33))


def test_output_under_a_file_is_a_clear_error(capsys, tiny_checkpoint, corpus_file, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, err = run(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        corpus_file,
        "--output",
        blocker / "scored.jsonl",
        "--no-progress",
    )
    assert code == 2 and "not-a-folder: cannot create folder" in err


def test_unwritable_output_folder_is_refused_before_scoring(
    capsys, tiny_checkpoint, corpus_file, tmp_path, monkeypatch
):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = output.os.access
    monkeypatch.setattr(
        output.os, "access", lambda path, mode: False if str(path) == str(locked) else real_access(path, mode)
    )  # chmod does not stop root, who runs CI
    code, err = run(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        corpus_file,
        "--output",
        locked / "scored.jsonl",
        "--no-progress",
    )
    assert code == 2 and "locked: folder is not writable" in err
    assert not list(locked.iterdir())


def test_an_unusable_onnx_cache_names_the_variable_to_set(tiny_checkpoint, tmp_path, monkeypatch):
    import shutil

    from framing import FramingClassifier
    from framing.checkpoint import update_meta

    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    update_meta(folder, {"runtime": {"name": "onnx-fp32"}})
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(FramingError, match="set FRAMING_CACHE to a writable folder"):
        FramingClassifier.from_pretrained(folder)
