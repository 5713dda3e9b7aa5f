"""Issue 10's training material: extra labelled files, empty labels and learning from a
teacher's scores (the distillation pool is tested in test_pool.py, cross-validation with a
teacher per fold in test_crossval.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing.errors import FramingError
from framing.predictor import FramingClassifier
from framing.training.config import config_from_dict
from framing.training.train import train

from helpers import EDITORIAL, NEUTRAL, benchmark_module, labelled_frame, score_file, tiny_config_dict


def test_extra_train_files_may_lack_supervision_columns_and_empty_labels_can_be_dropped(tiny_base, tiny_data, tmp_path):
    from transformers import AutoTokenizer

    from framing.training.training_data import load_examples

    extra = labelled_frame()[["text", "label", "words"]].head(6)  # no votes, no opinion column
    extra.loc[extra.index[0], "label"] = None  # a sentence the label column lacks
    extra.to_csv(tmp_path / "extra.csv", index=False)
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["data"]["extra_train"] = [str(tmp_path / "extra.csv")]
    with pytest.raises(FramingError, match=r"extra.csv: row 1, column 'label': unknown label an empty value"):
        load_examples(config_from_dict(raw), AutoTokenizer.from_pretrained(tiny_base))
    raw["data"]["drop_labels"] = [""]
    train_examples, _ = load_examples(config_from_dict(raw), AutoTokenizer.from_pretrained(tiny_base))
    base = len(labelled_frame())
    assert len(train_examples) == base + 5
    # the extra rows train on their hard label (soft target 0 or 1) and no opinion label
    assert set(train_examples.soft[base:]) <= {0.0, 1.0} and (train_examples.aux_labels[base:] == -100).all()
    assert 0 < train_examples.soft[:base].min() < 1  # the votes of the main file are kept


def test_the_student_learns_the_teachers_scores_on_the_pool(tiny_base, tiny_data, tmp_path):
    # The teacher calls the (neutral-looking) pool sentences editorializing; the gold data says
    # they are neutral. With the pool weighted up, the student must side with the teacher.
    pool = NEUTRAL * 4
    raw = tiny_config_dict(tiny_base, tiny_data, epochs=4)
    plain = train(config_from_dict(raw), tmp_path / "plain", progress=False)
    raw["distill"] = {
        "scores": [score_file(tmp_path, "a.parquet", pool, 0.95), score_file(tmp_path, "b.parquet", pool, 0.85)],
        "weight": 4.0,
        "temperature": 2.0,
        "teacher": "two tiny teachers",
        "about": {"name": "tiny pool"},
    }
    student = train(config_from_dict(raw), tmp_path / "student", progress=False)

    # uncalibrated margins (editorializing - neutral): dev calibration would blur a tiny model's
    def margin(ckpt):
        return np.diff(
            FramingClassifier.from_pretrained(str(ckpt), runtime="torch-fp32").logits(NEUTRAL), axis=1
        ).mean()

    assert margin(plain) < 0 < margin(student)
    from framing.training.compare import compare

    # the teacher's view of the pool sentences, and both classes present
    pooled = pd.DataFrame({"text": NEUTRAL + EDITORIAL[:2], "label": ["Biased"] * len(NEUTRAL) + ["Non-biased"] * 2})
    pooled.to_csv(tmp_path / "pooled.csv", index=False)
    result = compare(str(plain), str(student), str(tmp_path / "pooled.csv"), tmp_path / "cmp", label_column="label")
    # the difference is B - A, as `framing compare` says
    assert (
        result["paired_bootstrap"]["macro_f1_difference"]
        == pytest.approx(result["B"]["macro_f1"] - result["A"]["macro_f1"])
        and result["B"]["macro_f1"] != result["A"]["macro_f1"]
    )
    metrics = json.loads((student / "metrics.json").read_text())
    assert metrics["train_examples"] == len(labelled_frame()) + len(pool)
    scored = [d for d in metrics["data"] if d["split"] == "distillation scores"]
    assert len(scored) == 2 and all(len(d["sha256"]) == 64 for d in scored)
    card = (student / "README.md").read_text()
    assert "two tiny teachers" in card and "tiny pool" in card


def test_a_spread_pool_is_seen_once_over_the_epochs_and_the_gold_rows_every_epoch(tiny_base, tiny_data, tmp_path):
    from framing.training.batching import epoch_rows
    from framing.training.examples import Examples

    teacher = np.full((10, 2), np.nan)
    teacher[[1, 3, 4, 6, 7, 8, 9]] = 0.5  # seven pool rows among three gold rows
    examples = Examples(texts=["x"] * 10, input_ids=[[1]] * 10, labels=np.zeros(10, dtype=int), teacher=teacher)
    rows = epoch_rows(examples, 3, spread_pool=True)
    pooled = [sorted(set(r) - {0, 2, 5}) for r in rows]
    assert all({0, 2, 5} <= set(r) for r in rows) and [len(p) for p in pooled] == [3, 2, 2]
    assert sorted(sum(pooled, [])) == [1, 3, 4, 6, 7, 8, 9]  # each pool row in one epoch only
    assert all(list(r) == list(range(10)) for r in epoch_rows(examples, 3, spread_pool=False))

    raw = tiny_config_dict(tiny_base, tiny_data, epochs=3)
    raw["distill"] = {"scores": [score_file(tmp_path, "a.parquet", NEUTRAL * 3, 0.9)], "spread_over_epochs": True}
    metrics = json.loads((train(config_from_dict(raw), tmp_path / "out", progress=False) / "metrics.json").read_text())
    gold, pool = len(labelled_frame()), len(NEUTRAL) * 3
    assert metrics["train_examples"] == gold + pool
    assert sum(epoch["examples"] for epoch in metrics["epochs"]) == 3 * gold + pool


def test_an_ensembles_score_files_must_score_the_same_texts(tiny_base, tiny_data, tmp_path):
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["distill"] = {
        "scores": [
            score_file(tmp_path, "a.parquet", NEUTRAL, 0.9),
            score_file(tmp_path, "b.parquet", NEUTRAL[::-1], 0.9),
        ]
    }
    with pytest.raises(FramingError, match=r"b.parquet: not the same texts as .*a.parquet \(row 1 differs\)"):
        train(config_from_dict(raw), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_teacher_scores_must_be_probabilities(tiny_base, tiny_data, tmp_path):
    raw = tiny_config_dict(tiny_base, tiny_data)
    path = score_file(tmp_path, "a.parquet", NEUTRAL, 0.9)
    frame = pd.read_parquet(path)
    frame.loc[2, "scores.neutral"] = np.nan
    frame.to_parquet(path)
    raw["distill"] = {"scores": [path]}
    with pytest.raises(FramingError, match=r"a.parquet: row 3: scores must be probabilities"):
        train(config_from_dict(raw), tmp_path / "out", progress=False)


def test_distill_refuses_multi_label_data(tiny_base, tiny_data):
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["data"]["multi_label"] = True
    for key in ("votes_column", "annotators_column", "votes_for"):
        del raw["data"][key]
    raw["distill"] = {"scores": ["scores.parquet"]}
    with pytest.raises(FramingError, match="distillation trains single-label data"):
        config_from_dict(raw)


def test_evaluate_leaves_out_rows_without_a_label_and_counts_them(tiny_checkpoint, tiny_data, tmp_path):
    from framing.training.evaluate import evaluate

    frame = pd.read_csv(tiny_data["dev"])
    frame["reviewed"] = frame["label"]
    frame.loc[[0, 3], "reviewed"] = None  # sentences the second label column lacks
    frame.to_csv(tmp_path / "dev.csv", index=False)
    result = evaluate(
        str(tiny_checkpoint),
        str(tmp_path / "dev.csv"),
        tmp_path / "report",
        label_column="reviewed",
        baseline_train=None,
    )
    assert result["unlabelled_rows_left_out"] == 2 and result["model"]["n"] == len(frame) - 2
    assert "2 without a label left out" in (tmp_path / "report" / "report.md").read_text()
    frame.loc[5, "reviewed"] = "Maybe"  # a wrong label is still an error, by row
    frame.to_csv(tmp_path / "dev.csv", index=False)
    with pytest.raises(FramingError, match="row 6, column 'reviewed': unknown label 'Maybe'"):
        evaluate(str(tiny_checkpoint), str(tmp_path / "dev.csv"), tmp_path / "again", label_column="reviewed")


def test_training_reports_dev_metrics_on_every_label_column_asked(tiny_base, tiny_data, tmp_path):
    dev = pd.read_csv(tiny_data["dev"])
    dev["original"] = dev["label"]
    dev.loc[[0, 1], "original"] = dev.loc[[0, 1], "label"].map({"Biased": "Non-biased", "Non-biased": "Biased"})
    dev.loc[2, "original"] = None  # a row only the training label column labels
    dev.to_csv(tmp_path / "dev.csv", index=False)
    raw = tiny_config_dict(tiny_base, {"train": tiny_data["train"], "dev": tmp_path / "dev.csv"}, epochs=1)
    raw["data"]["report_label_columns"] = ["original"]
    checkpoint = train(config_from_dict(raw), tmp_path / "ckpt", progress=False)
    by_column = json.loads((checkpoint / "metrics.json").read_text())["dev_by_label_column"]
    assert by_column["label"]["n"] == len(dev) and by_column["original"]["n"] == len(dev) - 1
    assert by_column["label"]["macro_f1"] == pytest.approx(
        json.loads((checkpoint / "metrics.json").read_text())["dev"]["macro_f1"]
    )
    assert f"against `original` ({len(dev) - 1} dev rows)" in (checkpoint / "README.md").read_text()


def test_teacher_ensemble_averages_word_weights_by_span():
    module = benchmark_module("teacher_ensemble")
    text = "The greedy firm spoke."

    def words(*weights):
        return [
            {"start": s, "end": e, "weight": w} for (s, e), w in zip([(0, 3), (4, 10), (11, 15), (16, 21)], weights)
        ]

    sure, unsure = words(0.0, 0.9, 0.1, 0.0), words(0.0, 0.3, 0.8, 0.0)
    alone = module.averaged_word_metrics([text], [["greedy"]], [[unsure]])
    together = module.averaged_word_metrics([text], [["greedy"]], [[sure], [unsure]])
    # alone, no threshold keeps "greedy" without "firm"; the average (0.6 against 0.45) does
    assert alone["f1"] < 1.0 and together["f1"] == 1.0 and together["marked_words"] == 1
    # a span one member lacks counts 0 for it: "greedy" averages 0.3 under "firm"'s 0.4, so no
    # threshold keeps it alone (skipping the absent member would have given it 0.6)
    lacking = [w for w in words(0.0, 0.0, 0.4, 0.0) if w["start"] != 4]
    mixed = module.averaged_word_metrics([text], [["greedy"]], [[words(0.0, 0.6, 0.4, 0.0)], [lacking]])
    assert mixed["f1"] == pytest.approx(2 / 3)
