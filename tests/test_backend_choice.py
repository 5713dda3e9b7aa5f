"""framing.training.backend_choice (`framing export`): the fastest back end within the
macro-F1 tolerance that is batch-invariant is recorded in the checkpoint."""

from __future__ import annotations

import json
import shutil

import pytest

from framing import FramingClassifier
from framing.cli import main
from framing.runtime import ONNX_FILES


@pytest.fixture
def exported(exported, tmp_path):
    """A copy per test: export removes the unchosen back ends' files from the folder it is
    given, and the session's exported checkpoint is shared with the runtime tests."""
    return shutil.copytree(exported, tmp_path / "ckpt")


def test_export_command_records_the_choice_and_fp32_overrides_it(exported, tiny_data, capsys):
    assert main(["export", "--checkpoint", str(exported), "--data", str(tiny_data["dev"])]) == 0
    out = capsys.readouterr().out
    meta = json.loads((exported / "framing.json").read_text())
    chosen = meta["runtime"]["name"]
    assert f"chosen: {chosen}" in out and set(meta["runtime"]["measured"]) == {
        "torch-fp32",
        "onnx-fp32",
        "onnx-int8",
        "onnx-int8-full",
    }
    fp32_f1 = meta["runtime"]["measured"]["torch-fp32"]["dev_macro_f1"]
    assert meta["runtime"]["measured"][chosen]["dev_macro_f1"] >= fp32_f1 - 0.01
    assert FramingClassifier.from_pretrained(exported).runtime.name == chosen
    assert FramingClassifier.from_pretrained(exported, runtime="torch-fp32").runtime.name == "torch-fp32"
    assert main(["predict", "--checkpoint", str(exported), "--fp32", "hello there"]) == 0


def test_export_refuses_a_back_end_that_is_not_batch_invariant(exported, tiny_data, monkeypatch):
    """Batch invariance is a requirement of the choice, not only a measurement."""
    import framing.training.backend_choice as export

    real = export.batch_company_change
    monkeypatch.setattr(
        export, "batch_company_change", lambda clf, texts: 0.2 if clf.runtime.name != "torch-fp32" else real(clf, texts)
    )
    result = export.export_and_select(str(exported), str(tiny_data["dev"]))
    assert result["chosen"] == "torch-fp32"
    assert json.loads((exported / "framing.json").read_text())["runtime"]["batch_invariance"] == 1e-5


def test_export_says_when_the_calibration_was_fitted_on_another_back_end(exported, tiny_data, monkeypatch, capsys):
    """A calibration fitted through one back end's logits does not carry to another: export
    says so (calibrate needs labelled data, so export cannot refit it itself)."""
    import framing.training.backend_choice as export
    from framing.checkpoint import update_meta

    record = {"data": "dev.csv", "label_column": "label", "n": 16, "runtime": "onnx-int8-full", "bias": True}
    update_meta(exported, {"calibration": record})
    monkeypatch.setattr(
        export,
        "batch_company_change",  # only torch-fp32 stays eligible
        lambda clf, texts: 0.0 if clf.runtime.name == "torch-fp32" else 0.2,
    )
    assert main(["export", "--checkpoint", str(exported), "--data", str(tiny_data["dev"])]) == 0
    assert "fitted through onnx-int8-full" in capsys.readouterr().err
    update_meta(exported, {"calibration": {**record, "runtime": "torch-fp32"}})
    assert main(["export", "--checkpoint", str(exported), "--data", str(tiny_data["dev"])]) == 0
    assert "framing calibrate" not in capsys.readouterr().err


def test_export_keeps_only_the_chosen_back_end_unless_told(exported, tiny_data, tmp_path, monkeypatch, capsys):
    """The other back ends' files leave the folder (a checkpoint is passed around and has a
    size budget); asking for one later rebuilds it into the cache, never into the folder."""
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    kept = shutil.copytree(exported, tmp_path / "kept")
    assert main(["export", "--checkpoint", str(exported), "--data", str(tiny_data["dev"])]) == 0
    chosen = json.loads((exported / "framing.json").read_text())["runtime"]["name"]
    assert "removed the other back ends' files" in capsys.readouterr().out
    onnx_left = sorted(p.name for p in exported.iterdir() if ".onnx" in p.name)
    assert onnx_left == ([] if chosen == "torch-fp32" else sorted([ONNX_FILES[chosen], ONNX_FILES[chosen] + ".sha256"]))
    other = next(name for name in ONNX_FILES if name != chosen)
    assert FramingClassifier.from_pretrained(exported, runtime=other)("hello there")["label"]
    assert not (exported / ONNX_FILES[other]).exists()

    assert main(["export", "--checkpoint", str(kept), "--data", str(tiny_data["dev"]), "--keep-all"]) == 0
    assert "removed" not in capsys.readouterr().out
    assert all((kept / file).is_file() for file in ONNX_FILES.values())
