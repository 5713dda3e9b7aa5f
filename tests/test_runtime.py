import json
import shutil

import numpy as np
import pytest

from framing import FramingClassifier, FramingError
from framing.checkpoint import update_meta
from framing.cli import main
from framing.onnx_build import export_onnx

from conftest import EDITORIAL, NEUTRAL

TEXTS = NEUTRAL + EDITORIAL + ["Short.", "A " + "much " * 30 + "longer passage."]


@pytest.fixture(scope="module")
def exported(tiny_checkpoint, tmp_path_factory):
    folder = shutil.copytree(tiny_checkpoint, tmp_path_factory.mktemp("onnx") / "ckpt")
    written = export_onnx(folder)
    assert set(written) == {"onnx-fp32", "onnx-int8", "onnx-int8-full"} and all(p.is_file() for p in written.values())
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no scratch left behind
    return folder


def test_onnx_fp32_matches_torch(exported):
    torch_clf = FramingClassifier.from_pretrained(exported, runtime="torch-fp32")
    onnx_clf = FramingClassifier.from_pretrained(exported, runtime="onnx-fp32")
    assert onnx_clf.runtime.name == "onnx-fp32"
    reference, ref_words = torch_clf.predict_with_words(TEXTS, min_weight=0.0)
    proba, words = onnx_clf.predict_with_words(TEXTS, min_weight=0.0)
    assert proba == pytest.approx(reference, abs=1e-4)
    assert [w["weight"] for ws in words for w in ws] == pytest.approx([w["weight"] for ws in ref_words for w in ws], abs=1e-4)


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-int8-full"])
def test_onnx_int8_keeps_labels_within_tolerance(exported, runtime):
    reference = FramingClassifier.from_pretrained(exported, runtime="torch-fp32").predict_proba(TEXTS)
    proba = FramingClassifier.from_pretrained(exported, runtime=runtime).predict_proba(TEXTS)
    assert np.abs(proba - reference).max() < 0.1
    clear = np.abs(reference[:, 1] - 0.5) > 0.1  # where fp32 is not on the fence, the label is the same
    assert (proba.argmax(1) == reference.argmax(1))[clear].all()


def test_export_command_records_the_choice_and_fp32_overrides_it(exported, tiny_data, capsys):
    assert main(["export", "--checkpoint", str(exported), "--data", str(tiny_data["dev"])]) == 0
    out = capsys.readouterr().out
    meta = json.loads((exported / "framing.json").read_text())
    chosen = meta["runtime"]["name"]
    assert f"chosen: {chosen}" in out and set(meta["runtime"]["measured"]) == {"torch-fp32", "onnx-fp32", "onnx-int8", "onnx-int8-full"}
    fp32_f1 = meta["runtime"]["measured"]["torch-fp32"]["dev_macro_f1"]
    assert meta["runtime"]["measured"][chosen]["dev_macro_f1"] >= fp32_f1 - 0.01
    assert FramingClassifier.from_pretrained(exported).runtime.name == chosen
    assert FramingClassifier.from_pretrained(exported, runtime="torch-fp32").runtime.name == "torch-fp32"
    assert main(["predict", "--checkpoint", str(exported), "--fp32", "hello there"]) == 0


def test_missing_onnx_file_is_built_on_first_load(tiny_checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    update_meta(folder, {"runtime": {"name": "onnx-int8"}})
    classifier = FramingClassifier.from_pretrained(folder)
    built = list((tmp_path / "cache").rglob("model.int8.onnx"))
    assert classifier.runtime.name == "onnx-int8" and len(built) == 1
    assert not (folder / "model.int8.onnx").exists()  # the checkpoint folder is left as shipped
    assert len(classifier(TEXTS)) == len(TEXTS)


def test_unknown_runtime_is_refused(tiny_checkpoint):
    with pytest.raises(FramingError, match="unknown runtime 'gpu'"):
        FramingClassifier.from_pretrained(tiny_checkpoint, runtime="gpu")


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


@pytest.mark.parametrize("runtime", ["torch-fp32", "onnx-fp32", "onnx-int8", "onnx-int8-full"])
def test_every_back_end_is_batch_invariant(exported, runtime):
    """A text's probabilities and word weights do not depend on the other texts of the call."""
    from framing.training.backend_choice import batch_company_change

    classifier = FramingClassifier.from_pretrained(exported, runtime=runtime)
    assert batch_company_change(classifier, TEXTS, alone=len(TEXTS)) <= 1e-5
    _, together = classifier.predict_with_words(TEXTS, min_weight=0.0)
    _, alone = classifier.predict_with_words(TEXTS[-1:], min_weight=0.0)
    assert [w["weight"] for w in alone[0]] == pytest.approx([w["weight"] for w in together[-1]], abs=1e-5)


def test_export_refuses_a_back_end_that_is_not_batch_invariant(exported, tiny_data, monkeypatch):
    """Batch invariance is a requirement of the choice, not only a measurement."""
    import framing.training.backend_choice as export

    real = export.batch_company_change
    monkeypatch.setattr(export, "batch_company_change",
                        lambda clf, texts: 0.2 if clf.runtime.name != "torch-fp32" else real(clf, texts))
    result = export.export_and_select(str(exported), str(tiny_data["dev"]))
    assert result["chosen"] == "torch-fp32"
    assert json.loads((exported / "framing.json").read_text())["runtime"]["batch_invariance"] == 1e-5
