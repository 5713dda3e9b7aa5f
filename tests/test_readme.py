"""Every example the README shows in a code block marked runnable (```bash runnable or
```python runnable) runs on the shipped model, so the page cannot drift from the code; the
README's quick start is what .ci/run runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

pytestmark = pytest.mark.integration
BLOCK = re.compile(r"^```(bash|python) runnable\n(.*?)^```$", re.MULTILINE | re.DOTALL)
README = (REPO / "README.md").read_text(encoding="utf-8")
EXAMPLES = [(language, code) for language, code in BLOCK.findall(README)]


def test_the_readme_has_runnable_examples_of_every_surface():
    commands = " ".join(code for _, code in EXAMPLES)
    for surface in (
        "FramingClassifier",
        "framing predict",
        "framing analyze",
        "framing contrast",
        "framing serve",
        "framing extension",
        "framing evaluate",
        "--articles",
        "framing report",
    ):
        assert surface in commands, surface


def test_ci_runs_the_readmes_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    command = ci.strip().splitlines()[-1]
    assert command.startswith("python3 -m venv") and command in README


@pytest.fixture()
def workdir(tmp_path):
    """A folder like the repository root for the examples (their files, ../shared beside it)."""
    root = tmp_path / "framing"
    root.mkdir()
    for name in ("examples", "configs"):
        (root / name).symlink_to(REPO / name)
    shared = REPO.parent / "shared"
    if shared.exists():
        (tmp_path / "shared").symlink_to(shared)
    return root


@pytest.mark.parametrize("language, code", EXAMPLES, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(EXAMPLES)])
def test_a_readme_example_runs(workdir, language, code):
    if "../shared/data" in code and not (workdir.parent / "shared" / "data" / "babe").exists():
        pytest.skip("needs BABE in ../shared/data/babe")
    bin_dir = str(Path(sys.executable).parent)  # the environment's framing and python come first
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-c", code] if language == "python" else ["bash", "-euo", "pipefail", "-c", code]
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
