"""The wheel carries the shipped model and installs one top-level package; in CI (or with
FRAMING_TEST_INSTALL=1) it is installed into a fresh virtual environment, without torch,
and predicts, analyzes and serves from outside the repository, offline."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from framing.browser_extension import extension_files

from helpers import ACCURATE, FAST, REPO

INSTALL = bool(os.environ.get("CI") or os.environ.get("FRAMING_TEST_INSTALL"))
SENTENCE = "The senator's apologist foreign policy was another humiliating retreat."


def shipped_files(folder: Path) -> set[str]:
    """The checkpoint files the repository tracks (what a fresh clone has)."""
    listed = subprocess.run(
        ["git", "ls-files", str(folder.relative_to(REPO))], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    return {Path(name).name for name in listed}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")  # a copy: the build leaves no files in the repository
    for name in ("framing", "training", "checkpoints", "extension"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("framing-*.whl"))


def test_wheel_has_one_top_level_package_and_the_shipped_checkpoint(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"framing", wheel.name.split("-py3")[0] + ".dist-info"}
    for folder in (FAST, ACCURATE):
        in_wheel = {Path(n).name for n in names if n.startswith(f"framing/checkpoints/{folder.name}/")}
        assert in_wheel == shipped_files(folder)
        assert "model.int8-full.onnx" in in_wheel  # the back end it names ships with it: nothing built on load
    assert "model.safetensors" not in shipped_files(ACCURATE)  # onnx_only: no fp32 or fp16 copy
    assert any(n.startswith("framing/training/") for n in names) and "framing/static/index.html" in names
    assert {f"framing/extension/{name}" for name in extension_files()} <= set(
        names
    )  # `framing extension` works installed
    top_level = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-py3')[0]}.dist-info/METADATA").decode()
    assert "Requires-Dist: torch" in top_level and 'extra == "train"' in top_level.split("Requires-Dist: torch")[1][:80]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not INSTALL, reason="installs from the package index: runs in CI or with FRAMING_TEST_INSTALL=1")
def _served_prediction(framing, folder, env) -> dict:
    """`framing serve` started from the installed wheel in `folder`: its /v1/predict answer."""
    port = _free_port()
    server = subprocess.Popen(
        [framing, "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = json.dumps({"texts": [SENTENCE]}).encode()
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/v1/predict", body, {"Content-Type": "application/json"}
                )
                return json.loads(urllib.request.urlopen(request, timeout=5).read())
            except OSError:
                time.sleep(0.2)
        pytest.fail("the server did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_wheel_installs_and_serves_without_torch_outside_the_repository(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, framing = env_dir / "bin" / "python", env_dir / "bin" / "framing"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("FRAMING_CHECKPOINT", "PYTHONPATH")},
        "HF_HUB_OFFLINE": "1",
        "FRAMING_CACHE": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }

    def run(*args, **kw):
        return subprocess.run([*args], cwd=tmp_path, env=env, capture_output=True, text=True, **kw)

    assert run(python, "-c", "import torch").returncode != 0  # the light install has no torch

    predicted = run(framing, "predict", SENTENCE)
    assert predicted.returncode == 0 and predicted.stderr == "", predicted.stderr
    assert json.loads(predicted.stdout)["label"] == "editorializing"
    analysis = run(framing, "analyze", "-", "--json", input=f"{SENTENCE} The senator spoke on Tuesday.")
    assert analysis.returncode == 0 and len(json.loads(analysis.stdout)["sentences"]) == 2
    api = run(
        python,
        "-c",
        "import sys; from framing import FramingClassifier as F; "
        "print(F.from_pretrained()('The senator spoke on Tuesday.')['label']); "
        "print('torch' in sys.modules)",
    )
    assert api.stdout.split() == ["neutral", "False"], api.stderr
    # nothing was built on load (but, on a CPU whose int8 kernel saturates, the re-expressed copy)
    assert not [path for path in (tmp_path / "cache").rglob("*.onnx") if ".unsaturated-" not in str(path)]
    page = REPO / "examples" / "pages" / "opinion.html"  # news pages need no extra
    analysis = run(framing, "analyze", str(page), "--json")
    assert analysis.returncode == 0 and json.loads(analysis.stdout)["title"] == "Another humiliating retreat", (
        analysis.stderr
    )
    assert run(framing, "extension", "ext.zip").returncode == 0 and zipfile.ZipFile(tmp_path / "ext.zip").namelist()
    assert (
        "needs torch" in run(framing, "predict", "--checkpoint", "fast", "--fp32", SENTENCE).stderr
    )  # the extra, named
    assert "cannot run torch-fp32" in run(framing, "predict", "--fp32", SENTENCE).stderr  # accurate ships int8 only

    assert _served_prediction(framing, tmp_path, env)["results"][0]["label"] == "editorializing"
