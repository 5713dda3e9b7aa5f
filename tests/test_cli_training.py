"""The training and measuring commands on the command line: train, evaluate, crossval and
compare (their arguments checked before any work, their files and figures)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from helpers import run_cli, tiny_config_dict


def test_train_with_overrides_then_evaluate(capsys, tiny_base, tiny_data, tmp_path):
    import yaml

    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny_config_dict(tiny_base, tiny_data)))
    ckpt = tmp_path / "ckpt"
    code, out, err = run_cli(capsys, "train", "--config", config, "--set", "train.epochs=1", "--output", ckpt)
    assert code == 0, err
    assert "epochs: 1" in (ckpt / "training_config.yaml").read_text()
    report = tmp_path / "report"
    code, out, err = run_cli(capsys, "evaluate", "--checkpoint", ckpt, "--data", tiny_data["dev"], "--output", report)
    assert code == 0, err
    metrics = json.loads((report / "metrics.json").read_text())
    assert {"macro_f1", "macro_f1_ci95", "accuracy", "per_class", "roc_auc", "ece"} <= set(metrics["model"])
    assert "baseline_tfidf_logreg" in metrics and metrics["model"]["n"] == 16
    assert (report / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert (report / "reliability.png").stat().st_size > 1000
    assert "TF-IDF + logistic regression" in (report / "report.md").read_text()
    # metrics within each value of a column (the tiny data: its label_opinion-like `opinion` column)
    grouped = tmp_path / "grouped"
    code, out, err = run_cli(
        capsys,
        "evaluate",
        "--checkpoint",
        ckpt,
        "--data",
        tiny_data["dev"],
        "--output",
        grouped,
        "--no-baseline",
        "--group-by",
        "opinion",
    )
    assert code == 0, err
    by_group = json.loads((grouped / "metrics.json").read_text())["by_group"]
    assert by_group["column"] == "opinion" and sum(g["n"] for g in by_group["groups"].values()) == 16
    assert "## By `opinion`" in (grouped / "report.md").read_text()
    code, _, err = run_cli(
        capsys,
        "evaluate",
        "--checkpoint",
        ckpt,
        "--data",
        tiny_data["dev"],
        "--output",
        tmp_path / "g2",
        "--no-baseline",
        "--group-by",
        "leaning",
    )
    assert code == 2 and "no column 'leaning'" in err and not (tmp_path / "g2").exists()
    # results are not overwritten without the flag
    code, _, err = run_cli(capsys, "evaluate", "--checkpoint", ckpt, "--data", tiny_data["dev"], "--output", report)
    assert code == 2 and "already exists" in err


def test_evaluate_refuses_unknown_gold_label(capsys, tiny_checkpoint, tmp_path):
    data = tmp_path / "gold.csv"
    data.write_text("text,label\nfine words,Biased\nother words,Maybe\n")
    code, _, err = run_cli(
        capsys, "evaluate", "--checkpoint", tiny_checkpoint, "--data", data, "--output", tmp_path / "r"
    )
    assert code == 2 and "row 2, column 'label': unknown label 'Maybe'" in err
    assert not (tmp_path / "r").exists()


def test_crossval_reports_model_and_baseline_on_the_same_folds(capsys, tiny_base, tiny_data, tmp_path):
    import yaml

    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny_config_dict(tiny_base, tiny_data)))
    out = tmp_path / "cv.json"
    code, stdout, err = run_cli(
        capsys, "crossval", "--config", config, "--folds", "2", "--set", "train.epochs=1", "--output", out
    )
    assert code == 0, err
    result = json.loads(out.read_text())
    assert [r["fold"] for r in result["folds"]] == [1, 2]
    assert sum(r["n_test"] for r in result["folds"]) == 32  # train + dev pooled, each row tested once
    assert sum(sum(r["test_label_counts"].values()) for r in result["folds"]) == 32
    pooled = result["summary"]["pooled"]
    assert pooled["rows"] == 32 and 0.0 <= pooled["model_macro_f1"] <= 1.0 and "pooled over the held-out rows" in stdout
    assert "TF-IDF + LR" in stdout and "±" in stdout
    code, _, err = run_cli(capsys, "crossval", "--config", config, "--folds", "2", "--output", out)
    assert code == 2 and "cv.json.folds: an earlier run kept its folds here; pass --resume" in err
    # every fold was kept as it ended: resuming trains nothing and reports the same folds
    code, stdout_again, err = run_cli(
        capsys, "crossval", "--config", config, "--folds", "2", "--set", "train.epochs=1", "--output", out, "--resume"
    )
    assert code == 0, err
    assert json.loads(out.read_text())["folds"] == result["folds"]


def test_compare_two_checkpoints_with_paired_tests(capsys, tiny_checkpoint, tiny_data, tmp_path):
    out = tmp_path / "cmp"
    code, stdout, err = run_cli(
        capsys, "compare", tiny_checkpoint, tiny_checkpoint, "--data", tiny_data["dev"], "--output", out
    )
    assert code == 0, err
    result = json.loads((out / "metrics.json").read_text())
    # a checkpoint against itself: no difference, nothing to test
    assert result["paired_bootstrap"]["macro_f1_difference"] == 0.0
    assert result["mcnemar"] == {"only_a_correct": 0, "only_b_correct": 0, "p_value": 1.0}
    assert (out / "per_class_f1.png").stat().st_size > 1000 and (out / "pr_curves.png").stat().st_size > 1000
    assert "McNemar" in (out / "report.md").read_text()


def test_mcnemar_and_bootstrap_detect_a_real_difference():
    import numpy as np

    from framing.training.compare import mcnemar, paired_bootstrap

    y = np.array([0, 1] * 100)
    perfect, coin = y.copy(), np.array([0, 0, 1, 1] * 50)
    test = mcnemar(perfect == y, coin == y)
    assert test["only_a_correct"] == 100 and test["only_b_correct"] == 0 and test["p_value"] < 1e-10
    boot = paired_bootstrap(y, perfect, coin, 2, rounds=200)
    assert boot["macro_f1_difference"] == pytest.approx(0.5) and boot["ci95"][0] > 0.3 and boot["p_value"] < 0.01


def test_paired_difference_averages_over_every_label_like_the_reported_metrics():
    import numpy as np

    from framing.training.compare import paired_bootstrap
    from framing.training.metrics import classification_metrics

    y = np.zeros(40, dtype=int)  # data with one gold class: only neutral sentences
    pred_a, pred_b = np.zeros(40, dtype=int), np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    one_hot = lambda pred: np.eye(2)[pred]  # noqa: E731
    reported = [
        classification_metrics(y, one_hot(p), ["neutral", "editorializing"], 0)["macro_f1"] for p in (pred_a, pred_b)
    ]
    boot = paired_bootstrap(y, pred_a, pred_b, 2, rounds=50)
    assert boot["macro_f1_difference"] == pytest.approx(reported[0] - reported[1])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--resume"], "--resume needs --output: the finished folds are kept beside it"),
        (["--resume", "--output", "nowhere/cv.json"], "nowhere/cv.json.folds: no kept folds to resume from"),
        (
            ["--teacher", "configs/teacher_mpnet.yaml epochs"],
            "--teacher 'configs/teacher_mpnet.yaml epochs': expected a config path followed by KEY=VALUE overrides",
        ),
        (["--teacher", "configs/teacher_mpnet.yaml train.epochs=0"], "train.epochs"),
    ],
)
def test_crossval_resume_and_teacher_options_are_checked_before_any_work(capsys, argv, message):
    code, _, err = run_cli(capsys, "crossval", "--config", "configs/babe.yaml", "--folds", "2", *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_crossval_only_folds_beyond_the_fold_count_is_refused(capsys, tmp_path):
    code, out, err = run_cli(capsys, "crossval", "--config", "configs/babe.yaml", "--folds", "2", "--only-folds", "3")
    assert code == 2 and "--only-folds 3: there are only 2 folds" in err and "nan" not in out


def test_compare_help_describes_every_argument():
    done = subprocess.run([sys.executable, "-m", "framing", "compare", "--help"], capture_output=True, text=True)
    for argument in ("checkpoint_a", "checkpoint_b", "--data", "--text-column", "--label-column", "--overwrite"):
        line = next(line for line in done.stdout.splitlines() if line.strip().startswith(argument))
        assert len(line.strip()) > len(argument) + 5 or argument.upper() in line, line  # help text follows


def test_crossval_with_too_few_rows_or_a_rare_class_is_refused_before_training(capsys, tiny_base, tiny_data, tmp_path):
    import yaml

    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny_config_dict(tiny_base, tiny_data)))
    code, _, err = run_cli(capsys, "crossval", "--config", config, "--folds", "200")
    assert code == 2 and "--folds 200: the data has only 32 rows" in err
    rare = pd.read_csv(tiny_data["train"])
    rare.loc[0, "label"] = "Maybe"
    rare_file = tmp_path / "rare.csv"
    rare.to_csv(rare_file, index=False)
    values = tiny_config_dict(tiny_base, {"train": rare_file, "dev": tiny_data["dev"]})
    values["data"]["labels"]["Maybe"] = "unsure"
    for key in ("votes_column", "annotators_column", "votes_for"):  # soft labels are for two classes
        values["data"].pop(key)
    config.write_text(yaml.safe_dump(values))
    code, _, err = run_cli(capsys, "crossval", "--config", config, "--folds", "2")
    assert code == 2 and "at least 2 rows of each class ('unsure' has 1)" in err


def test_train_off_a_terminal_logs_each_epoch_without_bars(capsys, tiny_base, tiny_data, tmp_path):
    import yaml

    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny_config_dict(tiny_base, tiny_data)))
    code, out, err = run_cli(capsys, "train", "--config", config, "--output", tmp_path / "ckpt")
    assert code == 0 and "wrote checkpoint" in out
    epochs = [json.loads(line) for line in err.splitlines()]  # every line is an epoch's log entry: no bar
    assert [e["epoch"] for e in epochs] == [1, 2] and all("dev_macro_f1" in e for e in epochs)
