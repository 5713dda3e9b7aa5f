"""Interrupted training resumes from its saved state and ends with the same weights as an
uninterrupted run: after a simulated crash at several points, and after a real kill -9."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
import yaml
from safetensors.torch import load_file

from framing.errors import FramingError
from framing.hashing import sha256_of
from framing.training import train as train_module
from framing.training.config import config_from_dict
from framing.training.resume import load_state, state_path

from helpers import REPO, tiny_config_dict


def config_with_intermediate(tiny_base, tiny_data, **train) -> dict:
    raw = tiny_config_dict(tiny_base, tiny_data, **train)
    raw["intermediate"] = {
        "data": str(tiny_data["train"]),
        "labels": {"Non-biased": "neutral", "Biased": "editorializing"},
    }
    return raw


def weights(folder) -> dict[str, torch.Tensor]:
    return load_file(folder / "model.safetensors") | load_file(folder / "framing_heads.safetensors")


def assert_same_weights(a, b) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        assert torch.equal(wa[key], wb[key]), key


@pytest.fixture(scope="module")
def uninterrupted(tiny_base, tiny_data, tmp_path_factory):
    config = config_from_dict(config_with_intermediate(tiny_base, tiny_data, epochs=3, save_state_every=1))
    return train_module.train(config, tmp_path_factory.mktemp("full") / "model", progress=False)


class Crash(Exception):
    pass


@pytest.mark.parametrize("crash_after_saves", [1, 4, 6, 11])  # in the intermediate stage, at an epoch end, mid-epoch
def test_resume_after_crash_gives_the_same_weights(
    tiny_base, tiny_data, tmp_path, monkeypatch, uninterrupted, crash_after_saves
):
    config = config_from_dict(config_with_intermediate(tiny_base, tiny_data, epochs=3, save_state_every=1))
    output = tmp_path / "model"
    real_save, saves = train_module.save_state, []

    def crashing_save(path, state):
        real_save(path, state)
        saves.append((state["stage"], state["epoch"], state["step"]))
        if len(saves) == crash_after_saves:
            raise Crash

    monkeypatch.setattr(train_module, "save_state", crashing_save)
    with pytest.raises(Crash):
        train_module.train(config, output, progress=False)
    assert not output.exists() and state_path(output).is_file()
    monkeypatch.setattr(train_module, "save_state", real_save)

    with pytest.raises(FramingError, match="--resume"):  # nothing is thrown away by a plain rerun
        train_module.train(config, output, progress=False)
    train_module.train(config, output, progress=False, resume=True)
    assert_same_weights(output, uninterrupted)
    assert not state_path(output).exists()
    metrics = (output / "metrics.json").read_text()
    assert '"resumed": true' in metrics


def test_resume_refuses_a_changed_config(tiny_base, tiny_data, tmp_path, monkeypatch):
    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data, save_state_every=1))
    output = tmp_path / "model"

    from framing.training.resume import save_state

    def save_then_crash(path, state):
        save_state(path, state)
        raise Crash

    monkeypatch.setattr(train_module, "save_state", save_then_crash)
    with pytest.raises(Crash):
        train_module.train(config, output, progress=False)
    changed = config_from_dict(tiny_config_dict(tiny_base, tiny_data, save_state_every=1, lr=5e-4))
    with pytest.raises(FramingError, match=r"different config \(changed: train\.lr\)"):
        train_module.train(changed, output, progress=False, resume=True)
    with pytest.raises(FramingError, match="no saved training state"):
        train_module.train(config, tmp_path / "other", progress=False, resume=True)
    # another machine: other threads (and device) are not another recipe, so the run resumes
    monkeypatch.setattr(train_module, "save_state", save_state)
    threads = torch.get_num_threads()
    try:
        moved = config_from_dict(tiny_config_dict(tiny_base, tiny_data, save_state_every=1, threads=1))
        train_module.train(moved, output, progress=False, resume=True)
    finally:
        torch.set_num_threads(threads)
    assert '"resumed": true' in (output / "metrics.json").read_text() and not state_path(output).exists()


def test_truncated_state_file_is_a_clear_error(tiny_base, tiny_data, tmp_path):
    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data))
    state_path(tmp_path / "model").write_bytes(b"PK\x03\x04 not a whole file")
    with pytest.raises(FramingError, match="cannot read the saved training state"):
        load_state(state_path(tmp_path / "model"), config)


def test_kill_9_mid_training_then_resume(tiny_base, tiny_data, tmp_path, uninterrupted):
    """A real `framing train` process killed with SIGKILL leaves no checkpoint folder and a
    loadable state; `--resume` finishes with the weights of an uninterrupted run."""
    raw = config_with_intermediate(tiny_base, tiny_data, epochs=3, save_state_every=1)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    output = tmp_path / "model"
    command = [sys.executable, "-m", "framing.cli", "train", "--config", str(config_file), "--output", str(output)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    # Kill as soon as the first state is saved (after one step): well before the run ends.
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    state = state_path(output)
    deadline = time.monotonic() + 120
    while not state.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if not state.exists():
        pytest.fail(f"training ended before the kill: {process.stderr.read().decode()[-2000:]}")
    assert not output.exists()
    saved = load_state(state, config_from_dict(raw))
    assert saved["stage"] in {"intermediate", "main"}

    resumed = subprocess.run(command + ["--resume"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_weights(output, uninterrupted)
    assert not state.exists()


def test_crossval_runs_the_intermediate_stage_once_with_the_same_result(tiny_base, tiny_data):
    """Folds start from one shared end state of the intermediate stage; a fold trained from
    scratch (intermediate stage included) gets exactly the same weights."""
    from sklearn.model_selection import StratifiedKFold
    from transformers import AutoTokenizer

    from framing.predictor import FramingClassifier
    from framing.training.crossval import crossval
    from framing.training.examples import build_examples
    from framing.training.labels import load_table
    from framing.training.metrics import classification_metrics
    from framing.training.train import fit
    from framing.training.training_data import load_intermediate

    raw = config_with_intermediate(tiny_base, tiny_data, epochs=2, select="last")
    raw["data"].pop("dev")
    config = config_from_dict(raw)
    shared = crossval(config, folds=2, only=[2])["folds"][0]["model_macro_f1"]

    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    examples = build_examples(load_table(str(tiny_data["train"])), "train", config.data, tokenizer, 32)
    train_idx, test_idx = list(StratifiedKFold(2, shuffle=True, random_state=0).split(examples.texts, examples.labels))[
        1
    ]
    model, _ = fit(
        config, examples.subset(train_idx), None, str(tiny_base), tokenizer, False, load_intermediate(config, tokenizer)
    )
    test = examples.subset(test_idx)
    proba = FramingClassifier.from_model(
        model, tokenizer, {"labels": config.data.label_names, "max_length": 32}
    ).predict_proba(test.texts)
    assert classification_metrics(test.labels, proba, config.data.label_names, 0)["macro_f1"] == shared


def test_crossval_keeps_the_intermediate_stage_in_its_work_folder_and_resumes_from_it(
    tiny_base, tiny_data, tmp_path, monkeypatch
):
    """A resumed cross-validation takes the finished intermediate stage from the work folder
    instead of training it again, and its folds get the weights of a run without a work folder."""
    from framing.training import train as train_module
    from framing.training.crossval import crossval

    raw = config_with_intermediate(tiny_base, tiny_data, epochs=2, select="last")
    raw["data"].pop("dev")
    config = config_from_dict(raw)
    work = tmp_path / "cv.folds"
    crossval(config, folds=2, only=[1], work=work)
    kept = load_state(work / "intermediate.state.pt", config)
    assert kept["stage"] == "intermediate" and kept["epoch"] > config.intermediate.epochs
    recorded = json.loads((work / "run.json").read_text())["data"]  # each data file with its sha256
    assert {r["split"]: r["sha256"] for r in recorded}["train"] == sha256_of(tiny_data["train"])

    stages = []
    original = train_module.run_stage
    monkeypatch.setattr(
        train_module, "run_stage", lambda *args, **kwargs: (stages.append(args[8]), original(*args, **kwargs))[1]
    )
    resumed = crossval(config, folds=2, only=[2], work=work, resume=True)["folds"][0]["model_macro_f1"]
    assert stages == ["main"]
    monkeypatch.undo()
    assert resumed == crossval(config, folds=2, only=[2])["folds"][0]["model_macro_f1"]


def test_a_run_kept_before_new_config_keys_existed_still_resumes(tiny_base, tiny_data, tmp_path):
    """run.json of a run started by an older release lacks keys added since (with defaults):
    it is the same run; a changed value is still refused."""
    from framing.training.crossval_work import claim_work

    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data))
    work = tmp_path / "cv.folds"
    old = yaml.safe_load(config.to_yaml())
    old.pop("mixed")
    old["data"].pop("on_disagreement")
    old["model"].pop("keep_layers")
    work.mkdir()
    (work / "run.json").write_text(
        json.dumps({"config": yaml.safe_dump(old, sort_keys=False), "teachers": [], "folds": 5})
    )
    claim_work(work, {"config": config.to_yaml(), "teachers": [], "folds": 5}, resume=True)
    changed = config_from_dict(tiny_config_dict(tiny_base, tiny_data, lr=0.5))
    with pytest.raises(FramingError, match=r"kept folds of a different run \(changed: config\)"):
        claim_work(work, {"config": changed.to_yaml(), "teachers": [], "folds": 5}, resume=True)


def test_a_run_whose_data_file_changed_is_not_resumed_and_its_kept_folds_are_not_analysed(tmp_path):
    """run.json records each data file's sha256 (the recipe's and each fold teacher's): a file
    changed since (a regenerated seen.csv) makes other folds than the kept ones, so resuming
    and the analyses of the kept folds refuse it, naming the file; a run kept before the sha256
    was recorded resumes as before."""
    from framing.training.crossval_work import claim_work, kept_run, save_fold
    from framing.training.training_data import data_provenance

    data, terms = tmp_path / "train.csv", tmp_path / "terms.csv"
    data.write_text("text,label\nA sentence.,Biased\nAnother one.,Non-biased\n")
    terms.write_text("term,set\nwomen,gender\nmen,gender\n")
    config = config_from_dict(
        {
            "data": {"train": str(data), "labels": {"Biased": "editorializing", "Non-biased": "neutral"}},
            "counterfactuals": {"terms": str(terms)},
        }
    )

    def spec() -> dict:  # the run's record as crossval writes it, the files as they are now
        return {
            "config": config.to_yaml(),
            "teachers": [config.to_yaml()],
            "folds": 2,
            "data": data_provenance(config),
            "teacher_data": [data_provenance(config)],
        }

    work = tmp_path / "cv.folds"
    claim_work(work, spec(), resume=False)
    save_fold(work / "fold-1.npz", {"fold": 1}, (np.array([0]), np.eye(2)[:1], np.eye(2)[:1]))
    claim_work(work, spec(), resume=True)  # the same files: the same run
    assert kept_run(work)[0].data.train == str(data)

    terms.write_text("term,set\nwomen,gender\nmen,gender\ngirls,gender\n")  # read by training, not by analyses
    with pytest.raises(
        FramingError,
        match=rf"changed: data, teacher_data: {re.escape(str(terms))} \(sha256 "
        rf"\w{{12}}\.\.\., now \w{{12}}\.\.\.\); teacher 1: {re.escape(str(terms))}",
    ):
        claim_work(work, spec(), resume=True)
    assert kept_run(work)[2].keys() == {1}  # the labelled rows an analysis reads are unchanged

    data.write_text("text,label\nA sentence.,Non-biased\nAnother one.,Non-biased\n")
    other = config_from_dict({**yaml.safe_load(config.to_yaml()), "name": "other"})
    with pytest.raises(FramingError, match=rf"changed: config, data, teacher_data: {re.escape(str(data))} \(sha256"):
        claim_work(work, {**spec(), "config": other.to_yaml()}, resume=True)
    with pytest.raises(FramingError, match=rf"data changed since the run: {re.escape(str(data))} \(sha256"):
        kept_run(work)
    data.unlink()
    with pytest.raises(FramingError, match=rf"data changed since the run: {re.escape(str(data))}: not found"):
        kept_run(work)

    data.write_text("text,label\nA sentence.,Non-biased\nAnother one.,Non-biased\n")
    record = json.loads((work / "run.json").read_text())
    del record["data"], record["teacher_data"]
    (work / "run.json").write_text(json.dumps(record))
    claim_work(work, spec(), resume=True)  # kept before run.json recorded the data: no check
    assert kept_run(work)[2].keys() == {1}


def test_a_state_saved_before_new_config_keys_existed_still_resumes(tiny_base, tiny_data, tmp_path):
    """A training state saved by an older release lacks keys added since (at their defaults):
    it resumes; a changed value is still refused by name."""
    from framing.training.resume import save_state

    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data))
    old = yaml.safe_load(config.to_yaml())
    old.pop("counterfactuals")
    old["model"].pop("keep_layers")
    path = state_path(tmp_path / "model")
    save_state(path, {"config": yaml.safe_dump(old, sort_keys=False), "stage": "main", "epoch": 1, "step": 0})
    assert load_state(path, config)["stage"] == "main"
    changed = config_from_dict(tiny_config_dict(tiny_base, tiny_data, lr=0.5))
    with pytest.raises(FramingError, match=r"different config \(changed: train\.lr\)"):
        load_state(path, changed)
