"""Cross-validation (training/crossval.py) beyond the command's own tests (test_cli_training.py):
whole outlets held out, strict estimates with a teacher trained per fold, kept folds resumed,
and every figure against another label column on the rows it labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing.errors import FramingError
from framing.training.config import config_from_dict

from helpers import NEUTRAL, labelled_frame, score_file, tiny_config_dict


def test_crossval_by_group_holds_out_whole_outlets(tiny_base, tmp_path):
    from framing.training.crossval import crossval

    frame = labelled_frame()
    frame["outlet"] = [f"{'The ' if i % 8 == 0 else ''}Outlet {i % 4}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "train.csv", index=False)
    frame.head(6).drop(columns=["votes", "annotators"]).to_csv(tmp_path / "extra.csv", index=False)
    raw = tiny_config_dict(tiny_base, {"train": tmp_path / "train.csv", "dev": tmp_path / "train.csv"}, epochs=1)
    raw["data"]["extra_train"] = [str(tmp_path / "extra.csv")]
    result = crossval(config_from_dict(raw), folds=2, group_by="outlet")
    held = [set(fold["held_out_groups"]) for fold in result["folds"]]
    # "The Outlet 0" and "Outlet 0" are one outlet
    assert held[0].isdisjoint(held[1]) and held[0] | held[1] == {f"outlet {i}" for i in range(4)}
    assert sum(fold["n_test"] for fold in result["folds"]) == 2 * len(frame) + 6  # train, extra and dev rows
    with pytest.raises(FramingError, match="--group-by outlet: 4 groups cannot fill 5 folds"):
        crossval(config_from_dict(raw), folds=5, group_by="outlet")


def _strict_crossval_configs(tiny_base, tiny_data, tmp_path, report_label_columns=()):
    """A distilled tiny recipe whose score file says every pool sentence is editorializing,
    and a teacher recipe (the same data, no pool) to train on each fold instead."""
    teacher = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    student = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    student["data"]["report_label_columns"] = list(report_label_columns)
    student["distill"] = {"scores": [score_file(tmp_path, "pool.parquet", NEUTRAL * 2, 0.95)]}
    return config_from_dict(student), config_from_dict(teacher)


def test_strict_crossval_needs_only_the_pools_texts(tiny_base, tiny_data, tmp_path):
    from framing.training.crossval import crossval

    student, teacher = _strict_crossval_configs(tiny_base, tiny_data, tmp_path)
    pd.DataFrame({"text": NEUTRAL * 2}).to_parquet(tmp_path / "texts.parquet")  # a pool, never scored
    texts_only = config_from_dict(
        {**student.model_dump(mode="json"), "distill": {"scores": [str(tmp_path / "texts.parquet")], "max_examples": 5}}
    )
    result = crossval(texts_only, folds=2, only=[2], teachers=[teacher])
    fold = result["folds"][0]
    assert fold["fold"] == 2 and 0.0 <= fold["teacher_macro_f1"] <= 1.0
    # one teacher: its own figure is the average's
    assert fold["each_teacher_macro_f1"] == pytest.approx([fold["teacher_macro_f1"]])
    with pytest.raises(FramingError, match=r"texts.parquet: .*scores.neutral"):
        crossval(texts_only, folds=2)  # without fold teachers, the file's scores are the targets


def test_strict_crossval_trains_a_teacher_per_fold_and_resumes_finished_folds(
    tiny_base, tiny_data, tmp_path, monkeypatch
):
    from framing.training import crossval as module
    from framing.training import crossval_training
    from framing.training.crossval_report import render_crossval
    from framing.training.crossval_work import load_fold

    train_file = tmp_path / "train.csv"  # a second label column on the train rows only, as BABE's extra file
    pd.read_csv(tiny_data["train"]).assign(original=lambda f: f["label"]).to_csv(train_file, index=False)
    data = {**tiny_data, "train": train_file}
    student, teacher = _strict_crossval_configs(tiny_base, data, tmp_path, report_label_columns=["original"])
    trained = []
    real_fit = crossval_training.fit
    monkeypatch.setattr(
        crossval_training, "fit", lambda config, *a, **k: trained.append(config.name) or real_fit(config, *a, **k)
    )
    work = tmp_path / "cv.json.folds"
    first = module.crossval(student, folds=2, only=[1], teachers=[teacher], work=work)
    assert len(trained) == 2  # fold 1: its teacher, then the student
    pool_scores = np.load(work / "fold-1-teacher-1.npz")["pool"]
    # the fold teacher's own calibrated view of the pool replaces the file's constant 0.95
    assert pool_scores.shape == (2 * len(NEUTRAL), 2) and np.allclose(pool_scores.sum(axis=1), 1, atol=1e-5)
    assert not np.allclose(pool_scores[:, 1], 0.95)
    assert 0.0 <= first["folds"][0]["teacher_macro_f1"] <= 1.0
    both = module.crossval(student, folds=2, teachers=[teacher], work=work, resume=True)
    assert len(trained) == 4  # fold 1 was kept, only fold 2 trained
    assert both["folds"][0] == first["folds"][0] and [r["fold"] for r in both["folds"]] == [1, 2]
    assert both["summary"]["pooled"]["rows"] == sum(r["n_test"] for r in both["folds"])
    assert "fold teachers macro-F1" in render_crossval(both)
    assert {"model_roc_auc", "baseline_roc_auc", "teacher_roc_auc"} <= set(both["summary"]["pooled"])
    # against the second column: the held-out train rows (the dev file lacks it), also for the kept fold 1
    n_train = len(pd.read_csv(train_file))
    for row, (test_idx, *_) in zip(both["folds"], (load_fold(work / f"fold-{k}.npz")[1] for k in (1, 2))):
        original = row["by_label_column"]["original"]
        assert original["rows"] == int((test_idx < n_train).sum()) > 0
        assert 0.0 <= original["model_macro_f1"] <= 1.0 and len(original["each_teacher_macro_f1"]) == 1
    assert both["summary"]["by_label_column"]["original"]["pooled"]["rows"] == n_train
    paired = both["summary"]["pooled"]["model_vs_teachers"]  # one teacher: it is its own average
    assert paired["each_teacher"] == [paired["teachers_average"]]
    assert "against original (the held-out rows it labels):" in render_crossval(both)
    assert not list(work.glob("*.state.pt"))  # training states go once their fold is kept
    changed = config_from_dict({**student.model_dump(mode="json"), "train": {**student.train.model_dump(), "lr": 0.5}})
    with pytest.raises(FramingError, match=r"cv.json.folds: kept folds of a different run \(changed: config\)"):
        module.crossval(changed, folds=2, teachers=[teacher], work=work, resume=True)


def test_crossval_scores_another_label_column_on_the_rows_it_labels():
    from framing.training.crossval_report import Gold, column_figures

    labels = ["neutral", "editorializing"]
    gold = Gold(has=np.array([True, True, False, True, True]), labels=np.array([0, 1, 0, 1, 0]))
    right = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7], [0.6, 0.4]])  # wrong only on the unlabelled row
    held_out = np.array([0, 1, 2, 3, 4])
    figures = column_figures(gold, (held_out, right, right[:, ::-1], [right, right[:, ::-1]]), labels)
    assert figures["rows"] == 4 and figures["model_macro_f1"] == 1.0 and figures["baseline_macro_f1"] == 0.0
    assert figures["each_teacher_macro_f1"] == [1.0, 0.0]
    # ROC-AUC ranks without a threshold: scores all above 0.5 still rank the 4 rows perfectly
    shifted = np.stack([1 - (0.5 + right[:, 1] / 10), 0.5 + right[:, 1] / 10], axis=1)  # [5, 2]
    assert figures["model_roc_auc"] == 1.0 and figures["each_teacher_roc_auc"] == [1.0, 0.0]
    ranked = column_figures(gold, (held_out, shifted, shifted, []), labels)
    assert ranked["model_roc_auc"] == 1.0 and ranked["model_macro_f1"] < 0.5
    assert column_figures(gold, (np.array([2]), right[:1], right[:1], []), labels) == {"rows": 0}
    one_class = column_figures(gold, (np.array([0, 4]), right[:2], right[:2], []), labels)  # two neutral rows
    assert "model_macro_f1" in one_class and "model_roc_auc" not in one_class


def test_crossval_averages_each_figure_over_the_folds_that_have_it():
    from framing.training.crossval_report import fold_means

    folds = [{"rows": 3, "model_macro_f1": 0.6, "model_roc_auc": 0.8}, {"rows": 2, "model_macro_f1": 0.8}, {"rows": 0}]
    means = fold_means(folds)
    assert means["model_macro_f1"]["mean"] == pytest.approx(0.7) and means["model_roc_auc"] == {"mean": 0.8, "sd": 0.0}
    assert set(means) == {"model_macro_f1", "model_roc_auc"}


def test_crossval_tests_the_model_against_its_teachers_on_the_same_rows():
    from framing.training.crossval_report import model_vs_teachers

    gold = np.array([0, 1] * 20)
    right = np.eye(2)[gold]  # [40, 2]
    half_wrong = right.copy()
    half_wrong[:20] = half_wrong[:20, ::-1]
    result = model_vs_teachers(gold, right, [half_wrong, right])
    worse = result["each_teacher"][0]
    assert worse["macro_f1_difference"] == pytest.approx(0.5) and worse["p_value"] < 0.05
    assert worse["mcnemar"]["only_a_correct"] == 20 and worse["mcnemar"]["only_b_correct"] == 0
    assert result["each_teacher"][1]["macro_f1_difference"] == 0.0


def test_crossval_reads_another_label_column_by_file_and_row(tiny_base):
    from framing.training.crossval_recipe import column_gold

    raw = tiny_config_dict(tiny_base, {"train": "t.csv", "dev": "d.csv"})
    raw["data"]["drop_labels"] = ["No agreement"]
    config = config_from_dict(raw)
    first = pd.DataFrame({"original": ["Biased", None, " ", "No agreement", "Non-biased"]})
    gold = column_gold([("t.csv", first), ("extra.csv", pd.DataFrame({"text": ["a", "b"]}))], "original", config)
    assert gold.has.tolist() == [True, False, False, False, True, False, False]
    assert gold.labels[gold.has].tolist() == [1, 0]
    wrong = pd.DataFrame({"original": ["Biased", "Maybe"]}, index=[2, 3])
    with pytest.raises(FramingError, match=r"d.csv: row \d+, column 'original': unknown label 'Maybe'"):
        column_gold([("d.csv", wrong)], "original", config)
    with pytest.raises(FramingError, match="no labelled file has a label in column 'original'"):
        column_gold([("extra.csv", pd.DataFrame({"text": ["a"]}))], "original", config)


def test_a_fold_teacher_must_read_the_students_rows(tiny_base, tiny_data, tmp_path):
    from framing.training.crossval import crossval

    student, teacher = _strict_crossval_configs(tiny_base, tiny_data, tmp_path)
    other = config_from_dict(
        {
            **teacher.model_dump(mode="json"),
            "name": "other",
            "data": {**teacher.data.model_dump(mode="json"), "dev": None},
        }
    )
    with pytest.raises(FramingError, match=r"teacher 1 \(other\): its data section gives other labelled rows"):
        crossval(student, folds=2, teachers=[other])
    plain = config_from_dict({**student.model_dump(mode="json"), "distill": None})
    with pytest.raises(FramingError, match="teachers: the config has no distill section"):
        crossval(plain, folds=2, teachers=[teacher])


def test_a_run_kept_with_local_data_paths_resumes_as_the_same_run(tmp_path, monkeypatch):
    import json

    from framing.training.crossval_work import claim_work

    monkeypatch.setenv("FRAMING_DATA", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("text,label\n")
    local = str(tmp_path / "data" / "train.csv")
    record = {"split": "train", "source": "${FRAMING_DATA}/train.csv", "sha256": "ab" * 32}
    spec = {"config": "name: x\n", "data": [record], "teacher_data": [[record]]}
    work = tmp_path / "work"
    work.mkdir()
    old = {**spec, "data": [{**record, "source": local}], "teacher_data": [[{**record, "source": local}]]}
    (work / "run.json").write_text(json.dumps(old))  # recorded before sources were written from the root
    claim_work(work, spec, resume=True)  # the same run
    with pytest.raises(FramingError, match=r"changed: data: .*train.csv \(sha256 abababababab..., now cdcd"):
        claim_work(work, {**spec, "data": [{**record, "sha256": "cd" * 32}]}, resume=True)
