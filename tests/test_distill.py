"""Issue 10's training material: extra labelled files, empty labels, the distillation pool and
learning from a teacher's scores."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing.errors import FramingError
from framing.predictor import FramingClassifier
from framing.training.config import config_from_dict
from framing.training.pool import build_pool, is_sentence
from framing.training.train import train

from helpers import EDITORIAL, NEUTRAL, benchmark_module, labelled_frame, tiny_config_dict


def test_extra_train_files_may_lack_supervision_columns_and_empty_labels_can_be_dropped(tiny_base, tiny_data,
                                                                                      tmp_path):
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


def _articles() -> pd.DataFrame:
    rows = []
    for outlet, count in [("Big Outlet", 12), ("Small Outlet", 2), ("Third", 6)]:
        for i in range(count):
            body = (f"{NEUTRAL[i % len(NEUTRAL)]}\n\nPhoto credit: Staff photographer.\n\n"
                    f"{EDITORIAL[i % len(EDITORIAL)]} Read more at www.example.com today.\n\nSubscribe\n\n"
                    f"The council met in session {outlet} number {i} on Tuesday.")
            rows.append({"id": f"{outlet}-{i}", "outlet": outlet, "topic": ["economy", "health"][i % 2],
                         "date": f"20{15 + i % 3}-01-01", "text": body})
    return pd.DataFrame(rows)


def test_pool_drops_boilerplate_and_labelled_sentences_and_balances_outlets(tmp_path):
    _articles().to_parquet(tmp_path / "articles.parquet")
    labelled = pd.DataFrame({"text": [NEUTRAL[0].upper()]})  # matched whatever the case
    labelled.to_csv(tmp_path / "dev.csv", index=False)
    out = tmp_path / "pool.parquet"
    counts = build_pool(str(tmp_path / "articles.parquet"), out, 12, [str(tmp_path / "dev.csv")], seed=1)
    pool = pd.read_parquet(out)
    assert len(pool) == counts["pool"] == 12 and counts["labelled_sentences_removed"] >= 1
    assert NEUTRAL[0] not in set(pool["text"]) and not pool["text"].str.contains("Photo|Read more|Subscribe").any()
    per_outlet = pool["outlet"].value_counts()
    # the small outlet gives the 2 sentences it has (its others repeat other outlets'); the rest share the rest
    assert per_outlet.to_dict() == {"Big Outlet": 5, "Third": 5, "Small Outlet": 2}
    again = tmp_path / "again.parquet"
    build_pool(str(tmp_path / "articles.parquet"), again, 12, [str(tmp_path / "dev.csv")], seed=1)
    assert pd.read_parquet(again).equals(pool)  # a seed gives the same pool
    with pytest.raises(FramingError, match="already exists"):
        build_pool(str(tmp_path / "articles.parquet"), out, 12)
    with pytest.raises(FramingError, match="only .* usable sentences"):
        build_pool(str(tmp_path / "articles.parquet"), tmp_path / "big.parquet", 10_000)
    assert not (tmp_path / "big.parquet").exists()


def test_a_pool_of_several_sources_balances_all_their_outlets_and_names_each_source(tmp_path):
    # A sentence-per-row table (as anno-lexical's) joins the articles, and the outlets of both
    # share the pool (water-filling: Small Outlet and Third give all they have, 2 and 4).
    _articles().to_parquet(tmp_path / "articles.parquet")
    sentences = pd.DataFrame({"text": [f"The agency listed {n} new permits in its weekly report." for n in range(9)],
                              "outlet": ["Later Outlet"] * 9})  # no topic or date: one stratum
    sentences.to_parquet(tmp_path / "sentences.parquet")
    out = tmp_path / "pool.parquet"
    counts = build_pool([str(tmp_path / "articles.parquet"), str(tmp_path / "sentences.parquet")], out, 16)
    pool = pd.read_parquet(out)
    assert counts["by_source"] == {"articles.parquet": 11, "sentences.parquet": 5}
    assert pool["outlet"].value_counts().to_dict() == {"Later Outlet": 5, "Big Outlet": 5, "Third": 4,
                                                        "Small Outlet": 2}
    assert set(pool.loc[pool["source"] == "sentences.parquet", "text"]) <= set(sentences["text"])


def test_two_sources_with_one_file_name_are_told_apart_by_name_and_by_sentence_cap(tmp_path):
    # One article of 12 sentences in each of two `articles.parquet`: each file's article keeps
    # all 12 (the cap is per article of a file), and the source names are the paths.
    paths = []
    for folder in ("2019", "2023"):
        (tmp_path / folder).mkdir()
        text = " ".join(f"The {folder} council approved permit number {n} on Tuesday." for n in range(12))
        pd.DataFrame({"text": [text],
                      "outlet": [f"Outlet {folder}"]}).to_parquet(tmp_path / folder / "articles.parquet")
        paths.append(str(tmp_path / folder / "articles.parquet"))
    counts = build_pool(paths, tmp_path / "pool.parquet", 24)
    assert counts["by_source"] == {paths[0]: 12, paths[1]: 12}


@pytest.mark.parametrize("text, kept", [
    ("He resigned.", False),  # under four words
    ("The mayor resigned on Friday.", True),
    ("“We will not back down,” she said.", True),  # quotes stay
    ("From the Left", False),  # a heading, not a sentence
    ("Click here to sign up for our newsletter.", False),
    ("(AP Photo/Evan Vucci) The president spoke on Monday.", False),
])
def test_pool_keeps_prose_and_quotes(text, kept):
    assert is_sentence(text) is kept


def _scores(tmp_path, name: str, texts: list[str], editorializing: float) -> str:
    frame = pd.DataFrame({"text": texts, "label": "x", "score": 0.0,
                          "scores.neutral": 1 - editorializing, "scores.editorializing": editorializing})
    path = tmp_path / name
    frame.to_parquet(path)
    return str(path)


def test_the_student_learns_the_teachers_scores_on_the_pool(tiny_base, tiny_data, tmp_path):
    # The teacher calls the (neutral-looking) pool sentences editorializing; the gold data says
    # they are neutral. With the pool weighted up, the student must side with the teacher.
    pool = NEUTRAL * 4
    raw = tiny_config_dict(tiny_base, tiny_data, epochs=4)
    plain = train(config_from_dict(raw), tmp_path / "plain", progress=False)
    raw["distill"] = {"scores": [_scores(tmp_path, "a.parquet", pool, 0.95),
                                 _scores(tmp_path, "b.parquet", pool, 0.85)],
                      "weight": 4.0, "temperature": 2.0, "teacher": "two tiny teachers",
                      "about": {"name": "tiny pool"}}
    student = train(config_from_dict(raw), tmp_path / "student", progress=False)
    # uncalibrated margins (editorializing - neutral): dev calibration would blur a tiny model's
    margin = lambda ckpt: np.diff(FramingClassifier.from_pretrained(str(ckpt), runtime="torch-fp32")  # noqa: E731
                                  .logits(NEUTRAL), axis=1).mean()
    assert margin(plain) < 0 < margin(student)
    from framing.training.compare import compare

    # the teacher's view of the pool sentences, and both classes present
    pooled = pd.DataFrame({"text": NEUTRAL + EDITORIAL[:2], "label": ["Biased"] * len(NEUTRAL) + ["Non-biased"] * 2})
    pooled.to_csv(tmp_path / "pooled.csv", index=False)
    result = compare(str(plain), str(student), str(tmp_path / "pooled.csv"), tmp_path / "cmp", label_column="label")
    # the difference is B - A, as `framing compare` says
    assert result["paired_bootstrap"]["macro_f1_difference"] == pytest.approx(
        result["B"]["macro_f1"] - result["A"]["macro_f1"]) and result["B"]["macro_f1"] != result["A"]["macro_f1"]
    metrics = json.loads((student / "metrics.json").read_text())
    assert metrics["train_examples"] == len(labelled_frame()) + len(pool)
    scored = [d for d in metrics["data"] if d["split"] == "distillation scores"]
    assert len(scored) == 2 and all(len(d["sha256"]) == 64 for d in scored)
    card = (student / "README.md").read_text()
    assert "two tiny teachers" in card and "tiny pool" in card


def test_an_ensembles_score_files_must_score_the_same_texts(tiny_base, tiny_data, tmp_path):
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["distill"] = {"scores": [_scores(tmp_path, "a.parquet", NEUTRAL, 0.9),
                                 _scores(tmp_path, "b.parquet", NEUTRAL[::-1], 0.9)]}
    with pytest.raises(FramingError, match=r"b.parquet: not the same texts as .*a.parquet \(row 1 differs\)"):
        train(config_from_dict(raw), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_teacher_scores_must_be_probabilities(tiny_base, tiny_data, tmp_path):
    raw = tiny_config_dict(tiny_base, tiny_data)
    path = _scores(tmp_path, "a.parquet", NEUTRAL, 0.9)
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


def test_evaluate_leaves_out_rows_without_a_label_and_counts_them(tiny_checkpoint, tiny_data, tmp_path):
    from framing.training.evaluate import evaluate

    frame = pd.read_csv(tiny_data["dev"])
    frame["reviewed"] = frame["label"]
    frame.loc[[0, 3], "reviewed"] = None  # sentences the second label column lacks
    frame.to_csv(tmp_path / "dev.csv", index=False)
    result = evaluate(str(tiny_checkpoint), str(tmp_path / "dev.csv"), tmp_path / "report", label_column="reviewed",
                      baseline_train=None)
    assert result["unlabelled_rows_left_out"] == 2 and result["model"]["n"] == len(frame) - 2
    assert "2 without a label left out" in (tmp_path / "report" / "report.md").read_text()
    frame.loc[5, "reviewed"] = "Maybe"  # a wrong label is still an error, by row
    frame.to_csv(tmp_path / "dev.csv", index=False)
    with pytest.raises(FramingError, match="row 6, column 'reviewed': unknown label 'Maybe'"):
        evaluate(str(tiny_checkpoint), str(tmp_path / "dev.csv"), tmp_path / "again", label_column="reviewed")


def test_pool_command_writes_parquet_and_says_so_in_one_line(tmp_path, capsys):
    from framing.cli import main

    _articles().to_parquet(tmp_path / "articles.parquet")
    assert main(["pool", "--articles", str(tmp_path / "articles.parquet"), "--size", "5",
                 "--output", str(tmp_path / "pool.csv")]) == 2
    assert capsys.readouterr().err.strip() == (f"framing: error: {tmp_path / 'pool.csv'}: the pool is written as "
                                               f"Parquet; name it .parquet")
    assert main(["pool", "--articles", str(tmp_path / "articles.parquet"), "--size", "5",
                 "--output", str(tmp_path / "pool.parquet")]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["pool"] == 5
    assert len(pd.read_parquet(tmp_path / "pool.parquet")) == 5


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
        json.loads((checkpoint / "metrics.json").read_text())["dev"]["macro_f1"])
    assert f"against `original` ({len(dev) - 1} dev rows)" in (checkpoint / "README.md").read_text()


def _strict_crossval_configs(tiny_base, tiny_data, tmp_path, report_label_columns=()):
    """A distilled tiny recipe whose score file says every pool sentence is editorializing,
    and a teacher recipe (the same data, no pool) to train on each fold instead."""
    teacher = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    student = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    student["data"]["report_label_columns"] = list(report_label_columns)
    student["distill"] = {"scores": [_scores(tmp_path, "pool.parquet", NEUTRAL * 2, 0.95)]}
    return config_from_dict(student), config_from_dict(teacher)


def test_strict_crossval_needs_only_the_pools_texts(tiny_base, tiny_data, tmp_path):
    from framing.training.crossval import crossval

    student, teacher = _strict_crossval_configs(tiny_base, tiny_data, tmp_path)
    pd.DataFrame({"text": NEUTRAL * 2}).to_parquet(tmp_path / "texts.parquet")  # a pool, never scored
    texts_only = config_from_dict({**student.model_dump(mode="json"),
                                   "distill": {"scores": [str(tmp_path / "texts.parquet")], "max_examples": 5}})
    result = crossval(texts_only, folds=2, only=[2], teachers=[teacher])
    fold = result["folds"][0]
    assert fold["fold"] == 2 and 0.0 <= fold["teacher_macro_f1"] <= 1.0
    # one teacher: its own figure is the average's
    assert fold["each_teacher_macro_f1"] == pytest.approx([fold["teacher_macro_f1"]])
    with pytest.raises(FramingError, match=r"texts.parquet: .*scores.neutral"):
        crossval(texts_only, folds=2)  # without fold teachers, the file's scores are the targets


def test_strict_crossval_trains_a_teacher_per_fold_and_resumes_finished_folds(tiny_base, tiny_data, tmp_path,
                                                                             monkeypatch):
    from framing.training import crossval as module
    from framing.training.crossval_report import render_crossval
    from framing.training.crossval_work import load_fold

    train_file = tmp_path / "train.csv"  # a second label column on the train rows only, as BABE's extra file
    pd.read_csv(tiny_data["train"]).assign(original=lambda f: f["label"]).to_csv(train_file, index=False)
    data = {**tiny_data, "train": train_file}
    student, teacher = _strict_crossval_configs(tiny_base, data, tmp_path, report_label_columns=["original"])
    trained = []
    real_fit = module.fit
    monkeypatch.setattr(module, "fit", lambda config, *a, **k: trained.append(config.name) or real_fit(config, *a, **k))
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

    folds = [{"rows": 3, "model_macro_f1": 0.6, "model_roc_auc": 0.8}, {"rows": 2, "model_macro_f1": 0.8},
             {"rows": 0}]
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
    from framing.training.crossval import column_gold

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
    other = config_from_dict({**teacher.model_dump(mode="json"), "name": "other",
                              "data": {**teacher.data.model_dump(mode="json"), "dev": None}})
    with pytest.raises(FramingError, match=r"teacher 1 \(other\): its data section gives other labelled rows"):
        crossval(student, folds=2, teachers=[other])
    plain = config_from_dict({**student.model_dump(mode="json"), "distill": None})
    with pytest.raises(FramingError, match="teachers: the config has no distill section"):
        crossval(plain, folds=2, teachers=[teacher])


def test_teacher_ensemble_averages_word_weights_by_span():
    module = benchmark_module("teacher_ensemble")
    text = "The greedy firm spoke."
    words = lambda *weights: [{"start": s, "end": e, "weight": w}  # noqa: E731
                              for (s, e), w in zip([(0, 3), (4, 10), (11, 15), (16, 21)], weights)]
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
