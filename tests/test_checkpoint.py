import re
import shutil

import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from framing import FramingClassifier, FramingError
from framing.checkpoint import load_checkpoint, save_checkpoint

TEXTS = ["The senator spoke on Tuesday about the budget.", "The greedy company boasted of obscene profits."]


def test_round_trip_keeps_labels_and_predictions(tiny_checkpoint, tmp_path):
    model, tokenizer, meta = load_checkpoint(tiny_checkpoint)
    before = FramingClassifier.from_model(model, tokenizer, meta).predict_proba(TEXTS)
    copy = save_checkpoint(tmp_path / "copy", model, tokenizer, meta, {}, dtype=torch.float32)
    again = FramingClassifier.from_pretrained(copy)
    assert again.labels == ["neutral", "editorializing"]
    assert again.temperature == pytest.approx(meta.temperature)
    assert torch.allclose(torch.tensor(again.predict_proba(TEXTS)), torch.tensor(before), atol=1e-6)


def test_plain_transformers_loads_sentence_labels(tiny_checkpoint):
    model = AutoModelForSequenceClassification.from_pretrained(tiny_checkpoint)
    assert model.config.id2label == {0: "neutral", 1: "editorializing"}
    tokenizer = AutoTokenizer.from_pretrained(tiny_checkpoint)
    ours = FramingClassifier.from_pretrained(tiny_checkpoint)
    with torch.no_grad():
        logits = model.float()(**tokenizer(TEXTS[:1], return_tensors="pt")).logits.numpy()
    assert logits == pytest.approx(ours.logits(TEXTS[:1]), abs=1e-4)


def test_missing_weights_file_is_named(tiny_checkpoint, tmp_path):
    broken = shutil.copytree(tiny_checkpoint, tmp_path / "broken")
    (broken / "model.safetensors").unlink()
    with pytest.raises(FramingError, match="missing model.safetensors"):
        FramingClassifier.from_pretrained(broken)


def test_truncated_weights_file_is_a_clear_error(tiny_checkpoint, tmp_path):
    broken = shutil.copytree(tiny_checkpoint, tmp_path / "broken")
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(FramingError, match="corrupt checkpoint"):
        FramingClassifier.from_pretrained(broken)


def test_missing_folder(tmp_path):
    with pytest.raises(FramingError, match="checkpoint folder not found"):
        FramingClassifier.from_pretrained(tmp_path / "nothing")


def test_failed_save_leaves_nothing_and_keeps_the_old_folder(tiny_checkpoint, tmp_path, monkeypatch):
    model, tokenizer, meta = load_checkpoint(tiny_checkpoint)
    target = shutil.copytree(tiny_checkpoint, tmp_path / "target")
    original = (target / "model.safetensors").read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("safetensors.torch.save_file", explode)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(target, model, tokenizer, meta, {}, overwrite=True)
    assert (target / "model.safetensors").read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


@pytest.mark.parametrize("name", ["tokenizer.json", "config.json", "framing_heads.safetensors"])
def test_a_checkpoint_missing_any_file_it_needs_is_corrupt_not_silently_wrong(tiny_checkpoint, tmp_path, name):
    """Without tokenizer.json every word would be [UNK]: the load must refuse, naming the file."""
    broken = shutil.copytree(tiny_checkpoint, tmp_path / "broken")
    (broken / name).unlink()
    for runtime in ("auto", "torch-fp32"):
        with pytest.raises(FramingError, match=f"corrupt checkpoint: missing {name}"):
            FramingClassifier.from_pretrained(broken, runtime=runtime)


def test_saved_files_are_readable_by_every_worker(tiny_checkpoint, tmp_path):
    """Weights are written 0644 like the rest of the folder (with the usual umask 022)."""
    import os

    model, tokenizer, meta = load_checkpoint(tiny_checkpoint)
    old = os.umask(0o022)
    try:
        folder = save_checkpoint(tmp_path / "shared", model, tokenizer, meta, {})
    finally:
        os.umask(old)
    modes = {path.name: path.stat().st_mode & 0o777 for path in folder.iterdir()}
    assert set(modes.values()) == {0o644}, modes
    assert folder.stat().st_mode & 0o777 == 0o755


def test_framing_json_is_a_typed_contract(tiny_checkpoint, tmp_path):
    """Unknown keys, wrong types and other formats are refused by name, not read with defaults."""
    import json

    from framing.checkpoint import CheckpointMeta, read_meta, update_meta

    meta = read_meta(tiny_checkpoint)
    assert isinstance(meta, CheckpointMeta) and meta.format == 1 and meta.labels == ["neutral", "editorializing"]
    for change, message in [
        ({"temprature": 1.5}, "unknown key 'temprature'"),
        ({"temperature": "hot"}, "'temperature'"),
        ({"format": 2}, "checkpoint format 2 is not 1"),
    ]:
        broken = shutil.copytree(tiny_checkpoint, tmp_path / f"broken-{len(list(tmp_path.iterdir()))}")
        values = json.loads((broken / "framing.json").read_text())
        (broken / "framing.json").write_text(json.dumps({**values, **change}))
        with pytest.raises(FramingError, match=message):
            FramingClassifier.from_pretrained(broken)
    with pytest.raises(FramingError, match="unknown key 'colour'"):
        update_meta(shutil.copytree(tiny_checkpoint, tmp_path / "update"), {"colour": "red"})


@pytest.mark.parametrize(
    "change, message",
    [
        # Issue 25, case 14: each of these passed the check and ended in a traceback later
        ({"flag_label": "biased"}, "flag_label: 'biased' is not one of the labels (neutral, editorializing)"),
        (
            {"labels": ["neutral", "editorializing", "satire"], "logit_bias": []},
            "labels: 3 names for a model with 2 outputs",
        ),
        (
            {"labels": ["editorializing", "neutral"]},
            "are not the model's outputs in order ['neutral', 'editorializing']",
        ),
        ({"labels": ["neutral", "neutral"]}, "labels: a name appears twice"),
        ({"max_length": 65}, "max_length: 65 tokens is more than the model's 64 positions"),
        ({"multi_label": True, "thresholds": {"neutral": 0.5, "editorial": 0.5}}, "thresholds: 'editorial' is not one"),
        ({"label_mapping": {"Biased": "editorial"}}, "label_mapping: 'editorial' is not one of the labels"),
    ],
)
def test_framing_json_is_checked_against_the_model_files(tiny_checkpoint, tmp_path, change, message):
    import json

    broken = shutil.copytree(tiny_checkpoint, tmp_path / "broken")
    values = json.loads((broken / "framing.json").read_text())
    (broken / "framing.json").write_text(json.dumps({**values, **change}))
    with pytest.raises(FramingError, match=re.escape(message)) as error:  # checked with the files, before any back end
        FramingClassifier.from_pretrained(broken)
    assert str(error.value).startswith(str(broken / "framing.json")) and "\n" not in str(error.value)
