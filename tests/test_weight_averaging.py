"""The weight-averaging experiments (benchmarks/weight_averaging.py) write loadable checkpoints
whose weights are the stated averages, and refuse what they cannot average."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from helpers import benchmark_module

averaging = benchmark_module("weight_averaging")


def shifted_copy(checkpoint, folder, delta: float):
    """The checkpoint with every floating weight moved by `delta` (a stand-in for another seed)."""
    copy = shutil.copytree(checkpoint, folder)
    for name in averaging.WEIGHT_FILES:
        state = load_file(copy / name)
        save_file(
            {k: (v.float() + delta).to(v.dtype) for k, v in state.items()}, str(copy / name), metadata={"format": "pt"}
        )
    return copy


def test_a_soup_is_the_mean_of_its_checkpoints_and_still_predicts(tiny_checkpoint, tmp_path):
    from framing.checkpoint import update_meta
    from framing.predictor import FramingClassifier

    # a template that was exported and calibrated, with a dev report and model card
    template = shutil.copytree(tiny_checkpoint, tmp_path / "template")
    update_meta(
        template,
        {
            "temperature": 1.7,
            "logit_bias": [0.1, -0.1],
            "runtime": {"name": "onnx-int8-full"},
            "calibration": {"data": "dev.csv", "label_column": "label", "n": 10, "runtime": "torch-fp32", "bias": True},
        },
    )
    for name in ("model.int8-full.onnx", "metrics.json", "README.md"):
        (template / name).write_text("of the template's own weights")
    other = shifted_copy(tiny_checkpoint, tmp_path / "other", 0.5)
    averaging.write_averaged(tmp_path / "soup", template, averaging.soup([template, other]), False)
    for name in averaging.WEIGHT_FILES:
        first, soup = load_file(tiny_checkpoint / name), load_file(tmp_path / "soup" / name)
        for key, value in first.items():
            assert torch.allclose(soup[key].float(), value.float() + 0.25, atol=1e-2)
    assert not list((tmp_path / "soup").glob("*.onnx"))  # stale back ends are not carried over
    # nor the first checkpoint's calibration, back-end choice, dev metrics or model card
    meta = json.loads((tmp_path / "soup" / "framing.json").read_text())
    assert meta["temperature"] == 1.0 and not meta["logit_bias"]
    assert meta["labels"] == json.loads((template / "framing.json").read_text())["labels"]  # the rest is kept
    assert "calibration" not in meta and "runtime" not in meta
    assert not (tmp_path / "soup" / "metrics.json").exists() and not (tmp_path / "soup" / "README.md").exists()
    result = FramingClassifier.from_pretrained(tmp_path / "soup", runtime="torch-fp32")("The senator spoke.")
    assert result["label"] in ("neutral", "editorializing") and 0 <= result["score"] <= 1
    with pytest.raises(Exception, match="exists"):  # no overwrite without the flag
        averaging.write_averaged(tmp_path / "soup", template, averaging.soup([template, other]), False)


def test_interpolation_moves_the_final_weights_towards_the_intermediate_state(tiny_checkpoint, tmp_path):
    final = {name: load_file(tiny_checkpoint / name) for name in averaging.WEIGHT_FILES}
    start = {
        prefix + key: torch.zeros_like(value, dtype=torch.float32)
        for name, prefix in averaging.WEIGHT_FILES.items()
        for key, value in final[name].items()
    }
    torch.save({"stage": "intermediate", "model": start}, tmp_path / "state.pt")
    mixed = averaging.interpolate(tiny_checkpoint, tmp_path / "state.pt", 0.25)
    for name, state in mixed.items():
        for key, value in state.items():
            assert torch.allclose(value.float(), 0.25 * final[name][key].float(), atol=1e-3)
    torch.save({"stage": "main", "model": start}, tmp_path / "late.pt")
    with pytest.raises(SystemExit, match="not a state saved at the intermediate stage"):
        averaging.interpolate(tiny_checkpoint, tmp_path / "late.pt", 0.5)
