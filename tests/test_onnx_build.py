"""framing.onnx_build: ONNX files built from a checkpoint's weights, stamped with their digest."""

from __future__ import annotations

import shutil

import pytest

from framing import FramingClassifier
from framing.checkpoint import is_current
from framing.onnx_build import export_onnx

from helpers import EDITORIAL, NEUTRAL

TEXTS = NEUTRAL + EDITORIAL


def test_every_onnx_file_is_written_with_its_weights_stamp_and_no_scratch(tiny_checkpoint, tmp_path):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    written = export_onnx(folder, which=("onnx-fp32", "onnx-int8-full"))
    assert set(written) == {"onnx-fp32", "onnx-int8-full"}
    assert all(is_current(path, folder) for path in written.values())
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no scratch left behind


def test_onnx_built_from_older_weights_is_rebuilt(tiny_checkpoint, tmp_path):
    from framing.checkpoint import is_current

    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    export_onnx(folder, which=("onnx-fp32",))
    onnx_file = folder / "model.onnx"
    assert is_current(onnx_file, folder)
    heads = folder / "framing_heads.safetensors"
    other = shutil.copytree(tiny_checkpoint, tmp_path / "other")
    # new weights arrive (as after a git pull) while the old ONNX file stays
    from safetensors.torch import load_file, save_file

    state = load_file(str(other / "framing_heads.safetensors"))
    save_file({k: v + 1 for k, v in state.items()}, str(heads))
    assert not is_current(onnx_file, folder)
    classifier = FramingClassifier.from_pretrained(folder, runtime="onnx-fp32")
    assert is_current(onnx_file, folder)
    reference = FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    _, words = classifier.predict_with_words(TEXTS[:2], min_weight=0.0)
    _, ref_words = reference.predict_with_words(TEXTS[:2], min_weight=0.0)
    assert [w["weight"] for w in words[0]] == pytest.approx([w["weight"] for w in ref_words[0]], abs=1e-4)
