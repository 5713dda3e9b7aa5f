"""framing.output: atomic writes, refusal to overwrite, stale temporary files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from framing.errors import FramingError
from framing.output import atomic_file, write_text


def test_temporary_files_of_killed_runs_are_cleared_on_the_next_write(tmp_path):
    """kill -9 mid-write leaves `.NAME.tmp-PID`; the next write beside it removes it (only if
    that process is gone: a live writer's file is left alone)."""
    from framing.output import write_text

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".run.training-state.pt.tmp-{dead.pid}"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".run.training-state.pt.tmp-{os.getppid()}"
    live.write_bytes(b"y")
    write_text(tmp_path / "run.training-state.pt", ["new state"])
    assert not stale.exists() and live.exists()
    assert (tmp_path / "run.training-state.pt").read_text() == "new state"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as staging:
            staging.write_text("half")
            raise RuntimeError("disk gone")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_an_existing_file_is_replaced_only_when_asked(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("keep")
    with pytest.raises(FramingError, match="already exists; pass --overwrite"):
        write_text(target, ["new"], overwrite=False)
    write_text(target, ["new"], overwrite=True)
    assert target.read_text() == "new"


def _user_folder(path):
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    return path


def _user_file(path):
    path.write_text("mine")
    return path


@pytest.mark.parametrize("make", [_user_folder, _user_file])
def test_overwrite_never_replaces_what_framing_did_not_write(tmp_path, capsys, make):
    # before the marker, `framing extension DIR --overwrite` deleted whatever DIR held
    from helpers import run_cli

    target = make(tmp_path / "target")
    code, _, err = run_cli(capsys, "extension", target, "--overwrite")
    assert code == 2 and err.startswith(f"framing: error: {target}: ") and "refusing to replace it" in err
    assert len(err.strip().splitlines()) == 1
    assert (target / "notes.txt" if target.is_dir() else target).read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["target"]  # nothing staged or retired left behind


def test_a_folder_is_replaced_only_by_the_kind_of_command_that_wrote_it(tmp_path, capsys):
    from framing.browser_extension import write_extension
    from framing.output import OUTPUT_MARKER, atomic_folder

    target = write_extension(tmp_path / "ext")
    assert json.loads((target / OUTPUT_MARKER).read_text())["kind"] == "extension"
    (target / "stale.js").write_text("old")
    write_extension(target, overwrite=True)  # its own earlier output: replaced whole
    assert not (target / "stale.js").exists() and (target / "manifest.json").is_file()
    with pytest.raises(FramingError, match="framing's extension output, not its evaluation; refusing to replace it"):
        with atomic_folder(target, overwrite=True, kind="evaluation"):
            pass
    assert (target / "manifest.json").is_file()


def test_evaluate_overwrite_refuses_a_folder_it_did_not_write_before_the_work(tiny_checkpoint, tiny_data, tmp_path):
    from framing.training.evaluate import evaluate

    target = _user_folder(tmp_path / "results")
    with pytest.raises(FramingError, match=f"^{target}: not a folder framing wrote"):
        evaluate(str(tiny_checkpoint), str(tiny_data["dev"]), target, overwrite=True, baseline_train=None)
    assert (target / "notes.txt").read_text() == "mine"
