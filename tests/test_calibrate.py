"""`framing calibrate` (training/calibration.py's calibrate_checkpoint): a checkpoint's
calibration and word threshold refitted on labelled data through its default back end, on one
label column or several, the data it needs, and where it records the file it was fitted on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from framing import FramingClassifier
from framing.cli import main
from framing.errors import FramingError
from framing.training.calibration import calibrate_checkpoint, fit_calibration
from framing.training.metrics import expected_calibration_error

from helpers import softmax


def test_calibrate_refits_on_the_default_back_end_and_records_where(capsys, tiny_checkpoint, tiny_data, tmp_path):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    assert main(["calibrate", "--checkpoint", str(folder), "--data", str(tiny_data["dev"])]) == 0
    out = capsys.readouterr().out
    assert "before" in out and "after" in out and "framing.json" in out
    meta = json.loads((folder / "framing.json").read_text())
    record = meta["calibration"]
    assert record["data"] == str(tiny_data["dev"]) and record["n"] == 16 and record["runtime"] == "torch-fp32"
    assert record["label_column"] == "label" and record["bias"] is True and len(record["sha256"]) == 64
    assert len(meta["logit_bias"]) == 2
    clf = FramingClassifier.from_pretrained(folder)
    assert clf.temperature == pytest.approx(meta["temperature"])
    # the fit minimises NLL on this data: it cannot do worse there than the training calibration
    gold = (pd.read_csv(tiny_data["dev"]).label == "Biased").astype(int).to_numpy()
    texts = pd.read_csv(tiny_data["dev"]).text.tolist()
    before = FramingClassifier.from_pretrained(tiny_checkpoint).predict_proba(texts)
    nll = lambda p: -np.log(p[np.arange(len(gold)), gold]).mean()  # noqa: E731
    assert nll(clf.predict_proba(texts)) <= nll(before) + 1e-6
    card = (folder / "README.md").read_text()
    assert "refitted by `framing calibrate`" in card and str(tiny_data["dev"]) in card


def test_calibrate_refits_the_word_threshold_where_the_data_marks_words(capsys, tiny_checkpoint, tiny_data, tmp_path):
    from framing.training.examples import word_truth
    from framing.training.labels import word_lists
    from framing.training.metrics import word_metrics

    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    meta_file = folder / "framing.json"
    meta = json.loads(meta_file.read_text())
    meta["word_threshold"] = 0.95  # highlights next to nothing: a refit through the back end must do better
    meta_file.write_text(json.dumps(meta))
    frame = pd.read_csv(tiny_data["dev"])
    _, words = FramingClassifier.from_pretrained(folder).forward(frame.text.tolist(), with_words=True)
    gold, weights = word_truth(frame.text.tolist(), word_lists(frame, "words", "dev"), words)
    grid = {t: word_metrics(gold, weights, t)["f1"] for t in np.round(np.arange(0.05, 0.96, 0.05), 2)}
    assert grid[0.95] < max(grid.values())  # else the test could not tell a refit from none
    assert main(["calibrate", "--checkpoint", str(folder), "--data", str(tiny_data["dev"])]) == 0
    assert "word threshold 0.95 -> " in capsys.readouterr().out
    meta = json.loads(meta_file.read_text())
    record = meta["calibration"]["words"]
    chosen = meta["word_threshold"]
    assert chosen == record["after"]["threshold"] != 0.95 and grid[chosen] == max(grid.values())
    assert record["column"] == "words" and record["label_column"] == "label" and record["n"] == 16
    assert record["before"]["threshold"] == 0.95 and record["before"]["f1"] == pytest.approx(grid[0.95])
    assert record["after"]["marked_words"] > 0 and record["after"]["f1"] > record["before"]["f1"]
    assert FramingClassifier.from_pretrained(folder).word_threshold == chosen
    assert "word threshold was refitted there too" in (folder / "README.md").read_text()
    # refitted again on the same data: no threshold is strictly better, so it stays
    assert main(["calibrate", "--checkpoint", str(folder), "--data", str(tiny_data["dev"])]) == 0
    assert json.loads(meta_file.read_text())["word_threshold"] == chosen


@pytest.mark.parametrize("words", ["missing", "empty"])
def test_calibrate_keeps_the_word_threshold_where_the_data_marks_no_word(tiny_checkpoint, tiny_data, tmp_path, words):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    stored = json.loads((folder / "framing.json").read_text())["word_threshold"]
    frame = pd.read_csv(tiny_data["dev"])
    frame = frame.drop(columns=["words"]) if words == "missing" else frame.assign(words="[]")
    frame.to_csv(tmp_path / "no_words.csv", index=False)
    # every threshold scores word F1 0 on rows that mark nothing: nothing to choose by
    assert main(["calibrate", "--checkpoint", str(folder), "--data", str(tmp_path / "no_words.csv")]) == 0
    meta = json.loads((folder / "framing.json").read_text())
    assert meta["word_threshold"] == stored and not meta["calibration"]["words"]


def test_calibrate_on_two_label_columns_refits_the_words_on_the_first_columns_rows(
    tiny_checkpoint, tiny_data, tmp_path
):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    frame = pd.read_csv(tiny_data["dev"])
    frame["reviewed"] = frame["label"]
    frame.loc[:5, "reviewed"] = None  # rows only the second column labels: not scored for words
    frame.to_csv(tmp_path / "two.csv", index=False)
    assert (
        main(
            [
                "calibrate",
                "--checkpoint",
                str(folder),
                "--data",
                str(tmp_path / "two.csv"),
                "--label-column",
                "reviewed",
                "--label-column",
                "label",
            ]
        )
        == 0
    )
    record = json.loads((folder / "framing.json").read_text())["calibration"]["words"]
    marked = sum(len(eval(w)) > 0 for w in frame.loc[6:, "words"])  # noqa: S307 (the fixture's own list literals)
    assert record["label_column"] == "reviewed" and record["n"] == len(frame) - 6 and marked > 0


def test_calibrating_twice_keeps_the_uncalibrated_reference(tiny_checkpoint, tiny_data, tmp_path):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    texts = pd.read_csv(tiny_data["dev"]).text.tolist()
    gold = (pd.read_csv(tiny_data["dev"]).label == "Biased").astype(int).to_numpy()
    logits = FramingClassifier.from_pretrained(folder).logits(texts)
    runs = []
    for _ in range(2):
        assert main(["calibrate", "--checkpoint", str(folder), "--data", str(tiny_data["dev"])]) == 0
        runs.append(json.loads((folder / "framing.json").read_text())["calibration"])
    first, second = runs
    # the second refit replaces the first: its "before" is the first's "after"...
    assert second["before"] == pytest.approx(first["after"])
    # ...while the uncalibrated figures (temperature 1, no bias) are the same fixed reference
    assert first["uncalibrated"] == second["uncalibrated"]
    # the same logits reach the two softmaxes in float32 and float64: equal to float32's precision
    assert first["uncalibrated"]["ece"] == pytest.approx(expected_calibration_error(gold, softmax(logits)), abs=1e-6)
    assert "uncalibrated" in (folder / "README.md").read_text()


def test_calibrate_on_two_label_columns_fits_both_at_once_and_reports_each(
    capsys, tiny_checkpoint, tiny_data, tmp_path
):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    frame = pd.read_csv(tiny_data["dev"])
    frame["reviewed"] = frame["label"]
    frame.loc[:3, "reviewed"] = frame.loc[:3, "label"].map({"Biased": "Non-biased", "Non-biased": "Biased"})
    frame.loc[4, "reviewed"] = None  # a row only one column labels
    data = tmp_path / "two.csv"
    frame.to_csv(data, index=False)
    assert (
        main(
            [
                "calibrate",
                "--checkpoint",
                str(folder),
                "--data",
                str(data),
                "--label-column",
                "reviewed",
                "--label-column",
                "label",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "label columns reviewed, label" in out and out.count("uncalibrated") == 4  # ECE and macro-F1 per column
    meta = json.loads((folder / "framing.json").read_text())
    record = meta["calibration"]
    assert record["label_columns"] == ["reviewed", "label"] and record["label_column"] == "reviewed"
    assert {c: f["n"] for c, f in record["by_label_column"].items()} == {"reviewed": 15, "label": 16}
    assert record["after"] == record["by_label_column"]["reviewed"]["after"]
    # the same fit as one over both columns' rows stacked
    logits = FramingClassifier.from_pretrained(tiny_checkpoint).logits(frame.text.tolist())
    gold = lambda column: (frame[column] == "Biased").astype(int).to_numpy()  # noqa: E731
    labelled = frame["reviewed"].notna().to_numpy()
    expected = fit_calibration(
        np.concatenate([logits[labelled], logits]), np.concatenate([gold("reviewed")[labelled], gold("label")])
    )
    assert meta["temperature"] == pytest.approx(expected.temperature, rel=1e-4)
    assert "`reviewed` (15 rows) and `label` (16 rows), fitted on all at once" in (folder / "README.md").read_text()


def test_calibrate_without_bias_fits_the_temperature_only(tiny_checkpoint, tmp_path):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    assert main(["calibrate", "--checkpoint", str(folder), "--no-bias"]) == 0  # the training dev split by default
    meta = json.loads((folder / "framing.json").read_text())
    assert meta.get("logit_bias", []) == [] and meta["calibration"]["bias"] is False
    assert meta["calibration"]["data"].endswith("dev.csv")
    clf = FramingClassifier.from_pretrained(folder)
    texts = ["The senator spoke on Tuesday about the budget.", "The greedy company boasted of obscene profits."]
    assert clf.predict_proba(texts) == pytest.approx(softmax(clf.logits(texts) / meta["temperature"]), abs=1e-6)


def test_calibrate_on_data_without_the_label_column_is_one_error_and_changes_nothing(capsys, tiny_checkpoint, tmp_path):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    before = (folder / "framing.json").read_bytes()
    data = tmp_path / "unlabelled.csv"
    pd.DataFrame({"text": ["The senator spoke on Tuesday."]}).to_csv(data, index=False)
    assert main(["calibrate", "--checkpoint", str(folder), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("framing: error:") and "label" in err and len(err.strip().splitlines()) == 1
    assert (folder / "framing.json").read_bytes() == before


@pytest.mark.parametrize("biased", [0, 1])
def test_calibrate_refuses_one_class_data_and_leaves_the_checkpoint(tiny_checkpoint, tiny_data, tmp_path, biased):
    # Issue 25, case 11: five neutral rows stored temperature 0.064 and made every score 1.0;
    # one editorializing row among them lets the fit separate it perfectly, the same collapse
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    one_class = tmp_path / "neutral.csv"
    frame = pd.read_csv(tiny_data["dev"])
    pd.concat([frame[frame.label != "Biased"].head(5), frame[frame.label == "Biased"].head(biased)]).to_csv(
        one_class, index=False
    )
    before = (folder / "framing.json").read_text()
    with pytest.raises(
        FramingError,
        match=rf"neutral.csv: calibration needs at least 8 rows of every label .*; too "
        rf"few for 'neutral' \(5 rows\), 'editorializing' \({biased} rows\) in "
        rf"{5 + biased} rows",
    ):
        calibrate_checkpoint(str(folder), data=str(one_class))
    assert (folder / "framing.json").read_text() == before


def test_calibrate_needs_rows_for_what_it_fits_and_reports_how_sure_the_fit_is(
    capsys, tiny_checkpoint, tiny_data, tmp_path
):
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    frame = pd.read_csv(tiny_data["dev"])
    small = tmp_path / "five_a_label.csv"
    frame.groupby("label").head(5).to_csv(small, index=False)  # passed the old check (2 a label)
    before = (folder / "framing.json").read_text()
    code = main(["calibrate", "--checkpoint", str(folder), "--data", str(small)])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == (
        f"framing: error: {small}: calibration needs at least 8 rows of every label (4 per fitted parameter, 2 here; "
        f"--no-bias fits the temperature alone); too few for 'neutral' (5 rows), 'editorializing' (5 rows) in 10 rows"
    )
    assert (folder / "framing.json").read_text() == before
    # the temperature alone is one parameter: 4 rows a label do; the interval says how loosely it is pinned
    fit = calibrate_checkpoint(str(folder), data=str(small), bias=False)
    low, high = fit["uncertainty"]["temperature_ci95"]
    assert fit["uncertainty"]["resamples"] == 200 and low <= fit["temperature"] <= high and low < high
    assert main(["calibrate", "--checkpoint", str(folder), "--data", str(tiny_data["dev"])]) == 0
    assert "95% interval over 200 resamples of the rows: temperature " in capsys.readouterr().out


def _relative_dev(tiny_checkpoint, tiny_data, tmp_path):
    """A copy of the tiny checkpoint whose config names its dev file by a path relative to where
    training ran (project/), as configs do; the dev file itself at that place."""
    project = tmp_path / "project"
    folder = shutil.copytree(tiny_checkpoint, project / "runs" / "tiny")
    (project / "data").mkdir()
    shutil.copy(tiny_data["dev"], project / "data" / "dev.csv")
    _name_dev(folder, "data/dev.csv")
    return project, folder


def _name_dev(folder: Path, source: str) -> None:
    """The checkpoint's config and recorded provenance both name its dev file `source`."""
    config = yaml.safe_load((folder / "training_config.yaml").read_text())
    config["data"]["dev"] = source
    (folder / "training_config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    metrics = json.loads((folder / "metrics.json").read_text())
    for entry in metrics["data"]:
        entry["source"] = source if entry["split"] == "dev" else entry["source"]
    (folder / "metrics.json").write_text(json.dumps(metrics))


def test_calibrate_without_data_uses_the_dev_file_training_recorded_not_another_at_its_path(
    tiny_checkpoint, tiny_data, tmp_path, monkeypatch
):
    # before: data/dev.csv was read from the current folder, whatever file it was
    project, folder = _relative_dev(tiny_checkpoint, tiny_data, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "data").mkdir(parents=True)
    pd.read_csv(tiny_data["dev"]).head(12).to_csv(elsewhere / "data" / "dev.csv", index=False)  # another file
    monkeypatch.chdir(elsewhere)
    record = calibrate_checkpoint(str(folder), bias=False)
    assert record["data"] == str(project / "data" / "dev.csv") and record["n"] == 16
    (project / "data" / "dev.csv").write_text((elsewhere / "data" / "dev.csv").read_text())  # changed since training
    with pytest.raises(
        FramingError,
        match=r"^the checkpoint's dev data data/dev.csv: no file of the sha256 training "
        r"recorded \([0-9a-f]{12}...\) there, .*; pass --data FILE$",
    ):
        calibrate_checkpoint(str(folder), bias=False)


def test_calibrate_records_a_file_under_the_data_root_from_it_and_finds_it_there_later(
    tiny_checkpoint, tiny_data, tmp_path, monkeypatch
):
    from framing.training.labels import fingerprint

    project, folder = _relative_dev(tiny_checkpoint, tiny_data, tmp_path)
    root = tmp_path / "root"
    (root / "babe").mkdir(parents=True)
    shutil.copy(tiny_data["dev"], root / "babe" / "dev.csv")
    monkeypatch.setenv("FRAMING_DATA", str(root))
    monkeypatch.chdir(tmp_path)
    record = calibrate_checkpoint(str(folder), data=str(root / "babe" / "dev.csv"), bias=False)
    stored = json.loads((folder / "framing.json").read_text())["calibration"]
    assert record["data"] == stored["data"] == "${FRAMING_DATA}/babe/dev.csv"  # no path of this machine
    assert stored["sha256"] == fingerprint(root / "babe" / "dev.csv")
    assert str(tmp_path) not in (folder / "framing.json").read_text()
    # another machine: the data root elsewhere, the dev file gone from where training ran
    (project / "data" / "dev.csv").unlink()
    moved = shutil.copytree(root, tmp_path / "other-root")
    shutil.rmtree(root)
    monkeypatch.setenv("FRAMING_DATA", str(moved))
    again = calibrate_checkpoint(str(folder), bias=False)  # without --data: the recorded file, found by its sha256
    assert again["data"] == "${FRAMING_DATA}/babe/dev.csv" and again["n"] == 16
    assert calibrate_checkpoint(str(folder), data="${FRAMING_DATA}/babe/dev.csv", bias=False)["n"] == 16
    pd.read_csv(moved / "babe" / "dev.csv").head(12).to_csv(moved / "babe" / "dev.csv", index=False)  # changed
    with pytest.raises(FramingError, match=r"^the checkpoint's dev data data/dev.csv: no file of the sha256"):
        calibrate_checkpoint(str(folder), bias=False)
    with pytest.raises(FramingError, match=r"^--data '\$\{NOPE\}/dev.csv': unknown variable \$\{NOPE\}"):
        calibrate_checkpoint(str(folder), data="${NOPE}/dev.csv", bias=False)


def test_calibrate_without_data_finds_a_dev_file_recorded_from_the_data_root(
    tiny_checkpoint, tiny_data, tmp_path, monkeypatch
):
    # as the shipped models record it: config and metrics.json both name ${FRAMING_DATA}/...;
    # before, the recorded source was compared unexpanded and never matched the config's path
    root = tmp_path / "root"
    (root / "babe").mkdir(parents=True)
    shutil.copy(tiny_data["dev"], root / "babe" / "dev.csv")
    folder = Path(shutil.copytree(tiny_checkpoint, tmp_path / "ckpt"))
    _name_dev(folder, "${FRAMING_DATA}/babe/dev.csv")
    monkeypatch.setenv("FRAMING_DATA", str(root))
    monkeypatch.chdir(tmp_path)
    record = calibrate_checkpoint(str(folder), bias=False)
    assert record["data"] == "${FRAMING_DATA}/babe/dev.csv" and record["n"] == 16
