"""Multi-label schemes end to end: the example config trains on the fixture (with a tiny base),
and predict, corpus scoring, evaluate, compare and crossval handle it through the same paths."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing import FramingClassifier
from framing.cli import main
from framing.errors import FramingError
from framing.training.labels import label_sets

from helpers import FRAMES, REPO

CONFIG = REPO / "configs" / "frames_multilabel.yaml"
LABELS = ["economy", "security", "health", "morality"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def frames_checkpoint(frames_base, tmp_path_factory):
    out = tmp_path_factory.mktemp("frames") / "ckpt"
    code = main(
        [
            "train",
            "--config",
            str(CONFIG),
            "--set",
            f"model.base={frames_base}",
            "--set",
            f"data.train={FRAMES}",
            "--set",
            "train.lr=5e-3",
            "--set",
            "train.epochs=40",
            "--set",
            "train.layer_decay=1.0",
            "--set",
            "model.max_length=64",
            "--output",
            str(out),
        ]
    )  # a random 2-layer model needs many passes over 30 rows to move off the prior
    assert code == 0
    return out


def test_label_sets_parse_lists_joined_text_and_empty_values():
    frame = pd.DataFrame({"frames": [["economy", "health"], "security|morality", "", None, np.array(["health"])]})
    targets = label_sets(frame, "frames", {}, LABELS, "f.jsonl")
    assert targets.tolist() == [[1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]]


@pytest.mark.parametrize(
    "value,message",
    [
        (["economy", "sports"], "row 1, column 'frames': unknown label 'sports' (expected any of 'economy'"),
        ("economy|sports", "unknown label 'sports'"),
        (7, "expected a list of labels or text joined by '|', got 7"),
    ],
)
def test_label_sets_name_the_bad_value(value, message):
    with pytest.raises(FramingError, match=message.replace("(", r"\(").replace("|", r"\|")):
        label_sets(pd.DataFrame({"frames": [value]}), "frames", {}, LABELS, "f.jsonl")


def test_checkpoint_records_the_scheme_and_per_label_thresholds(frames_checkpoint):
    meta = json.loads((frames_checkpoint / "framing.json").read_text())
    assert meta["multi_label"] is True and meta["labels"] == LABELS
    assert set(meta["thresholds"]) == set(LABELS) and all(0 < t < 1 for t in meta["thresholds"].values())
    config = json.loads((frames_checkpoint / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    metrics = json.loads((frames_checkpoint / "metrics.json").read_text())
    assert {"macro_f1", "micro_f1", "thresholds", "per_class"} <= set(metrics["dev"])
    losses = [e["train_loss"] for e in metrics["epochs"]]
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.02  # it learns (the prior alone stays at ~1.0)
    card = (frames_checkpoint / "README.md").read_text()
    assert "multi-label (an independent sigmoid per label)" in card and "sha256 `" in card


def test_predict_returns_the_labels_passing_their_thresholds(frames_checkpoint):
    clf = FramingClassifier.from_pretrained(frames_checkpoint)
    texts = pd.read_json(FRAMES, lines=True)["text"].tolist()[:12]
    everything = clf(texts, top_k=None)
    passing = clf(texts)
    for all_labels, chosen in zip(everything, passing):
        assert sorted(x["label"] for x in all_labels) == sorted(LABELS)
        threshold = dict(zip(clf.labels, clf.thresholds))
        assert chosen == [x for x in all_labels if x["score"] >= threshold[x["label"]]]
    probabilities = clf.predict_proba(texts)
    assert probabilities.shape == (12, 4) and ((probabilities > 0) & (probabilities < 1)).all()
    single = clf(texts[0])
    assert isinstance(single, list)  # a set of labels, possibly empty
    with pytest.raises(FramingError, match="single-label checkpoint"):
        clf.analyze("An article. With two sentences.")


def test_cli_predict_and_corpus_scoring_write_label_sets(capsys, frames_checkpoint, tmp_path):
    code, out, _ = run(capsys, "predict", "--checkpoint", frames_checkpoint, "Hospital costs rose faster than wages.")
    record = json.loads(out)
    assert code == 0 and set(record) == {"text", "labels", "scores"} and set(record["scores"]) == set(LABELS)
    for suffix in (".parquet", ".csv"):
        output = tmp_path / f"scored{suffix}"
        code, _, _ = run(
            capsys,
            "predict",
            "--checkpoint",
            frames_checkpoint,
            "--input",
            FRAMES,
            "--output",
            output,
            "--chunk-size",
            "7",
            "--no-progress",
        )
        frame = pd.read_parquet(output) if suffix == ".parquet" else pd.read_csv(output, keep_default_na=False)
        assert code == 0 and len(frame) == 40 and [f"scores.{label}" in frame for label in LABELS] == [True] * 4
        labels = frame["labels"].tolist()
        if suffix == ".csv":
            labels = [value.split("|") if value else [] for value in labels]
        assert all(set(map(str, x)) <= set(LABELS) for x in labels)


def test_evaluate_and_compare_handle_multilabel(capsys, frames_checkpoint, tmp_path):
    code, out, err = run(
        capsys, "evaluate", "--checkpoint", frames_checkpoint, "--data", FRAMES, "--output", tmp_path / "report"
    )
    assert code == 0, err
    metrics = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert metrics["multi_label"] and set(metrics["model"]["thresholds"]) == set(LABELS)
    assert "micro_f1" in metrics["baseline_tfidf_logreg"]
    assert (tmp_path / "report" / "per_label_f1.png").stat().st_size > 1000
    code, out, err = run(
        capsys, "compare", frames_checkpoint, frames_checkpoint, "--data", FRAMES, "--output", tmp_path / "cmp"
    )
    assert code == 0, err
    result = json.loads((tmp_path / "cmp" / "metrics.json").read_text())
    assert result["paired_bootstrap"]["macro_f1_difference"] == 0.0


def test_calibrate_refits_sigmoid_calibration_and_tunes_the_thresholds_again(capsys, frames_checkpoint, tmp_path):
    import shutil

    from framing.training.metrics import best_thresholds, classification_metrics

    folder = shutil.copytree(frames_checkpoint, tmp_path / "ckpt")
    code, out, err = run(capsys, "calibrate", "--checkpoint", folder, "--data", FRAMES)
    assert code == 0, err
    meta = json.loads((folder / "framing.json").read_text())
    assert len(meta["logit_bias"]) == len(LABELS) and set(meta["thresholds"]) == set(LABELS)
    clf = FramingClassifier.from_pretrained(folder)
    texts = pd.read_json(FRAMES, lines=True)["text"].tolist()
    gold = np.array(
        [[label in row for label in LABELS] for row in pd.read_json(FRAMES, lines=True)["frames"]], dtype=int
    )
    proba = clf.predict_proba(texts)
    # the stored thresholds are the ones best for the recalibrated probabilities, and the record says so
    assert clf.thresholds.tolist() == best_thresholds(gold, proba).tolist()
    after = classification_metrics(gold, proba, LABELS, 0, clf.thresholds)
    assert meta["calibration"]["after"]["macro_f1"] == pytest.approx(after["macro_f1"])


def test_crossval_runs_on_multilabel_folds(capsys, frames_base, tmp_path):
    code, out, err = run(
        capsys,
        "crossval",
        "--config",
        CONFIG,
        "--set",
        f"model.base={frames_base}",
        "--set",
        f"data.train={FRAMES}",
        "--set",
        "train.epochs=2",
        "--folds",
        "2",
        "--output",
        tmp_path / "cv.json",
    )
    assert code == 0, err
    result = json.loads((tmp_path / "cv.json").read_text())
    assert [f["n_test"] for f in result["folds"]] == [20, 20]
