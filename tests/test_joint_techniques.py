"""Joint technique training (`techniques.joint_weight`): the technique texts train the shared
encoder beside the sentence label in the main stage; the shipped head is then fitted on the
frozen result, as `framing techniques` fits it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer

from framing.errors import FramingError
from framing.training.batching import collate
from framing.training.config import config_from_dict
from framing.training.crossval import crossval
from framing.training.losses import multitask_loss
from framing.training.model_setup import build_model
from framing.training.train import train
from framing.training.training_data import load_examples

from helpers import technique_config_dict, technique_frame, tiny_config_dict


def joint_config(tiny_base, tiny_data, folder, weight: float) -> dict:
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["techniques"] = technique_config_dict(folder, layers=0, hidden=16, epochs=40, joint_weight=weight)
    return raw


def test_technique_rows_train_only_the_technique_head_and_the_encoder(tiny_base, tiny_data, tmp_path):
    config = config_from_dict(joint_config(tiny_base, tiny_data, tmp_path, 2.0))
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    examples, _ = load_examples(config, tokenizer)
    rows = np.flatnonzero(~np.isnan(examples.techniques[:, 0]))
    assert len(rows) == len(technique_frame()) and np.all(examples.weight[rows] == 0)
    sentence_rows = examples.sentence_rows()
    assert len(sentence_rows) + len(rows) == len(examples) and not set(rows) & set(sentence_rows)
    model = build_model(config, str(tiny_base), examples.techniques.shape[1])
    model.eval()  # no dropout: the two losses below are compared exactly

    # a batch of technique rows alone: a finite loss (not 0 / 0 from the sentence label's
    # weights), whose gradient reaches the encoder but not the sentence or word heads
    batch = collate(examples, rows[:4].tolist(), tokenizer.pad_token_id)
    loss = multitask_loss(model, batch, config, votes_for=1)
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    assert model.classifier.bert.encoder.layer[-1].output.dense.weight.grad.abs().sum() > 0
    assert model.word_head.weight.grad is None or model.word_head.weight.grad.abs().sum() == 0
    assert model.classifier.classifier.weight.grad.abs().sum() == 0

    # sentence rows: their technique targets are NaN, so the technique loss adds nothing
    batch = collate(examples, sentence_rows[:4].tolist(), tokenizer.pad_token_id)
    with torch.no_grad():
        with_key = multitask_loss(model, batch, config, votes_for=1)
        without = multitask_loss(model, {k: v for k, v in batch.items() if k != "techniques"}, config, votes_for=1)
    assert torch.equal(with_key, without)


def test_a_jointly_trained_checkpoint_has_a_fitted_head_and_an_encoder_the_techniques_moved(
    tiny_base, tiny_data, tmp_path
):
    def trained(weight: float, name: str):
        return train(
            config_from_dict(joint_config(tiny_base, tiny_data, tmp_path, weight)), tmp_path / name, progress=False
        )

    apart, faint, joint = trained(0.0, "apart"), trained(1e-6, "faint"), trained(2.0, "joint")
    meta = json.loads((joint / "framing.json").read_text())
    assert meta["techniques"]["labels"] == ["Loaded_Language", "Doubt", "Other_Technique"]
    assert meta["techniques"]["layers"] == 0 and meta["techniques"]["dev"]["micro"]["f1"] >= 0
    metrics = [json.loads((folder / "metrics.json").read_text()) for folder in (apart, joint)]
    assert metrics[1]["train_examples"] == metrics[0]["train_examples"]  # the sentence label's rows
    assert metrics[1]["joint_technique_examples"] == len(technique_frame())
    assert "joint_technique_examples" not in metrics[0]
    assert "techniques, trained jointly" in {source["split"] for source in metrics[1]["data"]}
    assert "trained jointly: the technique texts of" in (joint / "README.md").read_text()
    # the same rows in the same batches at a faint and a real weight: the technique loss moved it
    encoder = "bert.encoder.layer.1.output.dense.weight"
    weights = [load_file(folder / "model.safetensors")[encoder] for folder in (faint, joint)]
    assert not torch.equal(*weights)


def test_without_a_dev_file_the_technique_rows_stay_out_of_dev(tiny_base, tiny_data, tmp_path):
    raw = joint_config(tiny_base, tiny_data, tmp_path, 1.0)
    del raw["data"]["dev"]
    train_examples, dev = load_examples(config_from_dict(raw), AutoTokenizer.from_pretrained(tiny_base))
    assert dev.techniques is None and len(dev) > 0
    assert len(train_examples) - len(train_examples.sentence_rows()) == len(technique_frame())


def test_joint_training_is_refused_where_it_cannot_run(tiny_base, tiny_data, tmp_path):
    raw = joint_config(tiny_base, tiny_data, tmp_path, 1.0)
    with pytest.raises(FramingError, match="cross-validation does not train techniques jointly"):
        crossval(config_from_dict(raw), folds=2)
    student, teacher = (joint_config(tiny_base, tiny_data, tmp_path, weight) for weight in (0.0, 1.0))
    student["distill"] = teacher["distill"] = {"scores": ["pool.parquet"]}  # a fold teacher would train them
    with pytest.raises(FramingError, match="cross-validation does not train techniques jointly"):
        crossval(config_from_dict(student), folds=2, teachers=[config_from_dict(teacher)])
    raw["data"]["multi_label"] = True
    for key in ("votes_column", "annotators_column", "votes_for"):
        del raw["data"][key]
    with pytest.raises(FramingError, match="techniques.joint_weight: joint training needs single-label data"):
        config_from_dict(raw)


def test_resuming_after_the_technique_columns_changed_is_a_clear_error(tiny_base, tiny_data, tmp_path, monkeypatch):
    """The config is the same, but its technique file gained a column: the saved jointly trained
    head has other shapes than the one built now, refused in one line instead of torch's list."""
    from framing.training import train as train_module
    from framing.training.resume import save_state, state_path

    class Crash(Exception):
        pass

    def save_then_crash(path, state):
        save_state(path, state)
        raise Crash

    raw = joint_config(tiny_base, tiny_data, tmp_path, 1.0)
    raw["train"]["save_state_every"] = 1
    monkeypatch.setattr(train_module, "save_state", save_then_crash)
    with pytest.raises(Crash):
        train(config_from_dict(raw), tmp_path / "model", progress=False)
    frame = technique_frame()
    frame["Repetition"] = frame["Loaded_Language"]  # a fourth label with enough support
    frame.to_csv(tmp_path / "techniques.csv", index=False)
    with pytest.raises(FramingError, match=r"training-state\.pt: its weights do not fit .*size mismatch.*--overwrite"):
        train(config_from_dict(raw), tmp_path / "model", progress=False, resume=True)
    assert state_path(tmp_path / "model").is_file()  # nothing the run did not write is lost
