"""Security properties, checked by behaviour so that they keep holding: bounded dependency
ranges, no pickle or remote code run on any load path (traps that would leave a file behind
if they ran), and a vulnerability audit of what is installed."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from helpers import REPO

tomllib = pytest.importorskip("tomllib")  # Python 3.11+


def test_every_dependency_has_a_lower_and_an_upper_bound():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    for requirement in requirements:
        if requirement.startswith("framing["):  # an extra naming other extras of this package
            continue
        assert re.search(r">=?[\d.]+", requirement) and re.search(r"<[\d.]+", requirement), requirement


class _Trap:
    """Unpickling this creates `marker`: proof that a load path ran pickled code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def test_pickled_weights_are_never_unpickled(tiny_checkpoint, tmp_path):
    """A checkpoint carrying a pickled `pytorch_model.bin` loads from safetensors (or, without
    them, is refused): the pickle never runs."""
    import pickle
    import shutil

    from framing import FramingClassifier, FramingError

    marker = tmp_path / "pwned"
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(marker)))
    assert FramingClassifier.from_pretrained(folder, runtime="torch-fp32")("A plain sentence.")["label"]
    (folder / "model.safetensors").unlink()
    with pytest.raises(FramingError, match="missing model.safetensors"):
        FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    assert not marker.exists()


def test_a_pickled_training_state_is_refused_not_run(tmp_path):
    """torch.load(weights_only=True): a state file holding arbitrary pickled code is refused."""
    import pickle

    from framing import FramingError
    from framing.training.config import config_from_dict
    from framing.training.resume import load_state

    marker = tmp_path / "pwned"
    state = tmp_path / "run.training-state.pt"
    state.write_bytes(pickle.dumps({"format": 1, "trap": _Trap(marker)}, protocol=2))  # torch.load's protocol
    config = config_from_dict({"data": {"train": "t.csv", "labels": {"a": "x", "b": "y"}}})
    with pytest.raises(FramingError, match="cannot read the saved training state"):
        load_state(state, config)
    assert not marker.exists()


def test_remote_code_named_by_a_checkpoint_never_runs(tiny_checkpoint, tmp_path):
    """A config.json pointing at custom modeling code in the folder (auto_map): loading uses
    the library's own class and never imports that file."""
    import shutil

    from framing import FramingClassifier, FramingError

    marker = tmp_path / "pwned"
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    (folder / "evil_model.py").write_text(f"open({str(marker)!r}, 'w')\n")
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {
        "AutoModelForSequenceClassification": "evil_model.EvilModel",
        "AutoConfig": "evil_model.EvilConfig",
    }
    (folder / "config.json").write_text(json.dumps(config))
    try:
        FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    except FramingError:
        pass  # refusing is as safe as ignoring it
    assert not marker.exists()


def test_pip_audit_of_the_installed_packages():
    """Known vulnerabilities in what is installed (pip-audit's PyPI advisory service). Where
    that service cannot be reached (an offline machine), the audit is reported as skipped."""
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--local", "--format", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.skip(f"pip-audit could not run: {result.stderr.strip().splitlines()[-1:]}")
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        pytest.skip(
            f"the advisory service did not know any of the {len(dependencies)} installed packages "
            f"(no network to pypi.org here); nothing was audited"
        )
    vulnerable = {f"{d['name']} {d['version']}": [v["id"] for v in d["vulns"]] for d in audited if d["vulns"]}
    assert not vulnerable, f"known vulnerabilities: {vulnerable}"
