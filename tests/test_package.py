"""framing.training.package (`framing package`): a checkpoint shipped as its ONNX back end only,
weights in shards, predicting exactly as the folder it came from."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from framing import FramingClassifier
from framing.checkpoint import load_checkpoint, locate_checkpoint, shipped_checkpoint, update_meta, weights_digest
from framing.cli import main
from framing.errors import FramingError
from framing.training.package import package_checkpoint

from helpers import EDITORIAL, NEUTRAL

TEXTS = NEUTRAL + EDITORIAL


@pytest.fixture
def chosen(exported, tmp_path):
    """The exported tiny checkpoint with onnx-int8-full recorded as its back end."""
    folder = shutil.copytree(exported, tmp_path / "ckpt")
    update_meta(folder, {"runtime": {"name": "onnx-int8-full"}})
    return folder


def test_a_packaged_folder_predicts_as_its_source_from_sharded_weights(chosen, tmp_path):
    target = package_checkpoint(chosen, tmp_path / "shipped", shard_mb=1)
    names = {p.name for p in target.iterdir()}
    assert "model.safetensors" not in names and "model.onnx" not in names and "model.int8.onnx" not in names
    assert json.loads((target / "framing.json").read_text())["onnx_only"] is True
    source, packaged = FramingClassifier.from_pretrained(chosen), FramingClassifier.from_pretrained(target)
    assert packaged.runtime.name == "onnx-int8-full"
    np.testing.assert_array_equal(packaged.predict_proba(TEXTS), source.predict_proba(TEXTS))
    article = " ".join(TEXTS[:3])
    assert packaged.analyze(article)["sentences"] == source.analyze(article)["sentences"]
    assert weights_digest(target) != weights_digest(chosen)  # the graph it runs, not the source's weights


def test_shards_stay_under_the_limit_and_a_tensor_too_large_is_named(chosen, tmp_path):
    from framing.training.package import write_sharded

    graph = chosen / "model.int8-full.onnx"
    written = write_sharded(graph, tmp_path / "model.int8-full.onnx", shard_bytes=8_000)
    assert len(written) > 2 and all(path.stat().st_size <= 8_000 for path in written[1:])
    with pytest.raises(FramingError, match=r"model.int8-full.onnx: tensor .* MB, more than a shard"):
        write_sharded(graph, tmp_path / "small.onnx", shard_bytes=3_000)


def test_a_packaged_folder_refuses_what_needs_pytorch_weights(chosen, tmp_path, capsys):
    target = package_checkpoint(chosen, tmp_path / "shipped")
    with pytest.raises(FramingError, match="ships only its onnx-int8-full back end .* cannot run torch-fp32"):
        FramingClassifier.from_pretrained(target, runtime="torch-fp32")
    with pytest.raises(FramingError, match="no PyTorch weights: it predicts but cannot be trained on"):
        load_checkpoint(target)
    assert main(["predict", "--checkpoint", str(target), "--fp32", "Hello."]) == 2
    assert "cannot run torch-fp32" in capsys.readouterr().err
    (target / "model.int8-full.onnx").unlink()
    with pytest.raises(FramingError, match="corrupt checkpoint: missing model.int8-full.onnx"):
        FramingClassifier.from_pretrained(target)


def test_package_refuses_a_folder_without_a_current_onnx_back_end(exported, chosen, tmp_path, capsys):
    bare = shutil.copytree(exported, tmp_path / "bare")
    assert main(["package", "--checkpoint", str(bare), "--output", str(tmp_path / "out")]) == 2
    assert "no ONNX back end chosen" in capsys.readouterr().err and not (tmp_path / "out").exists()
    (chosen / "model.int8-full.onnx.sha256").write_text("0" * 64 + "\n")
    with pytest.raises(FramingError, match="built from other weights; run `framing export` again"):
        package_checkpoint(chosen, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_shipped_models_are_picked_by_name(monkeypatch, tmp_path):
    monkeypatch.delenv("FRAMING_CHECKPOINT", raising=False)
    assert locate_checkpoint("fast") == shipped_checkpoint("fast") and shipped_checkpoint("fast").name == "babe-minilm"
    assert locate_checkpoint("accurate").name == "babe-mpnet"
    assert locate_checkpoint(None).name == "babe-mpnet"  # one text or article at a time: accurate unless told
    assert locate_checkpoint(None, default="fast") == shipped_checkpoint("fast")  # corpora
    assert locate_checkpoint("./fast").name == "fast"  # a local folder of that name, written as a path
    monkeypatch.setenv("FRAMING_CHECKPOINT", str(tmp_path))
    assert locate_checkpoint(None) == tmp_path and locate_checkpoint("fast") == shipped_checkpoint("fast")
