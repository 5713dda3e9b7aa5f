"""framing.output: atomic writes, refusal to overwrite, stale temporary files."""

from __future__ import annotations

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
