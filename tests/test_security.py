"""Security properties that hold by construction, checked so that they keep holding: bounded
dependency ranges, no pickle or remote code on any load path, and a vulnerability audit of
what is installed."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

from conftest import REPO

SOURCES = sorted((REPO / "framing").rglob("*.py")) + sorted((REPO / "training").rglob("*.py"))


def test_every_dependency_has_a_lower_and_an_upper_bound():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    for requirement in requirements:
        if requirement.startswith("framing["):  # an extra naming other extras of this package
            continue
        assert re.search(r">=?[\d.]+", requirement) and re.search(r"<[\d.]+", requirement), requirement


@pytest.mark.parametrize("pattern,why", [
    (r"trust_remote_code\s*=\s*True", "remote code must never run"),
    (r"\bpickle\b|\bjoblib\b", "pickle can run code on load"),
    (r"torch\.load\((?![^)]*weights_only=True)", "torch.load must use weights_only=True"),
    (r"use_safetensors\s*=\s*False", "weights load only from safetensors"),
])
def test_no_unsafe_loading_in_the_sources(pattern, why):
    offenders = [f"{path.relative_to(REPO)}:{number}" for path in SOURCES
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if re.search(pattern, line) and not line.lstrip().startswith("#")]
    assert not offenders, f"{why}: {offenders}"


def test_checkpoints_are_loaded_with_safetensors_only(tiny_checkpoint):
    assert not list(tiny_checkpoint.glob("*.bin")) and (tiny_checkpoint / "model.safetensors").is_file()
    source = (REPO / "framing" / "checkpoint.py").read_text()
    assert "use_safetensors=True" in source


def test_pip_audit_of_the_installed_packages():
    """Known vulnerabilities in what is installed (pip-audit's PyPI advisory service). Where
    that service cannot be reached (an offline machine), the audit is reported as skipped."""
    result = subprocess.run([sys.executable, "-m", "pip_audit", "--local", "--format", "json",
                             "--progress-spinner", "off"], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.skip(f"pip-audit could not run: {result.stderr.strip().splitlines()[-1:]}")
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        pytest.skip(f"the advisory service did not know any of the {len(dependencies)} installed packages "
                    f"(no network to pypi.org here); nothing was audited")
    vulnerable = {f"{d['name']} {d['version']}": [v["id"] for v in d["vulns"]] for d in audited if d["vulns"]}
    assert not vulnerable, f"known vulnerabilities: {vulnerable}"
