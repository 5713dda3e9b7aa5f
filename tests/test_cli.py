"""The `framing` command: predict on arguments, files and standard input, its one-line errors
(status 2, no traceback) before any work, help, and the terminal view of an analysis (the
training commands are tested in test_cli_training.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from framing.cli import main

from helpers import EDITORIAL, NEUTRAL, run_cli


def test_predict_arguments_print_one_json_object_per_line(capsys, tiny_checkpoint):
    code, out, _ = run_cli(capsys, "predict", "--checkpoint", tiny_checkpoint, NEUTRAL[0], EDITORIAL[0])
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["text"] for r in lines] == [NEUTRAL[0], EDITORIAL[0]]
    for record in lines:
        assert set(record["scores"]) == {"neutral", "editorializing"}
        assert record["score"] == max(record["scores"].values())
        assert record["label"] == max(record["scores"], key=record["scores"].get)


@pytest.mark.parametrize("argv", [["article.txt"], [NEUTRAL[0], "sub/page.html"]])
def test_predict_refuses_an_argument_that_names_a_file(capsys, tiny_checkpoint, tmp_path, monkeypatch, argv):
    # without the check, "article.txt" is labelled as the passage "article.txt", exit 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    for name in ("article.txt", "sub/page.html"):
        (tmp_path / name).write_text(EDITORIAL[0])
    code, out, err = run_cli(capsys, "predict", "--checkpoint", tiny_checkpoint, *argv)
    name = argv[-1]
    assert (code, out) == (2, "") and err.startswith(
        f"framing: error: {name} is a file, not a passage: label its rows "
        f"with --input {name}, or an article with framing analyze {name}"
    )
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".txt"])
def test_predict_file_keeps_input_order(capsys, tiny_checkpoint, tmp_path, suffix):
    # very different lengths, so internal length sorting would scramble a careless writer
    texts = [EDITORIAL[0] * 3, "Short.", NEUTRAL[1], EDITORIAL[2] + " " + NEUTRAL[2], "Tiny one."]
    path = tmp_path / f"in{suffix}"
    frame = pd.DataFrame({"id": range(5), "body": texts})
    column = "body"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        path.write_text("\n".join(texts) + "\n")
        column = "text"
    out = tmp_path / "out.jsonl"
    code, _, _ = run_cli(
        capsys, "predict", "--checkpoint", tiny_checkpoint, "--input", path, "--text-column", column, "--output", out
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 0 and [r["row"] for r in records] == [1, 2, 3, 4, 5]
    from framing import FramingClassifier

    expected = FramingClassifier.from_pretrained(tiny_checkpoint)(texts)
    assert [r["label"] for r in records] == [e["label"] for e in expected]
    assert [r["score"] for r in records] == pytest.approx([e["score"] for e in expected], abs=1e-6)


def test_predict_refuses_to_overwrite_output(capsys, tiny_checkpoint, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("keep\n")
    code, _, err = run_cli(capsys, "predict", "--checkpoint", tiny_checkpoint, "--output", out, "x y")
    assert code == 2 and "already exists; pass --overwrite" in err and out.read_text() == "keep\n"
    code, _, _ = run_cli(capsys, "predict", "--checkpoint", tiny_checkpoint, "--output", out, "--overwrite", "x y")
    assert code == 0 and json.loads(out.read_text())["label"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict", "--input", "{tmp}/missing.csv"], "missing.csv: file not found"),
        (["predict", "--input", "{tmp}/data.xlsx"], "unknown file format '.xlsx'"),
        (["predict", "--input", "{tmp}/ok.csv", "--text-column", "body"], "no column 'body' (columns: text)"),
        (["predict"], "give passages as arguments or --input FILE"),
        (["predict", "   "], "text 0: empty text"),
        (["predict", "--checkpoint", "{tmp}", "hello"], "not a framing checkpoint"),
    ],
)
def test_errors_are_one_line_with_status_2(capsys, tiny_checkpoint, tmp_path, argv, message):
    (tmp_path / "ok.csv").write_text("text\nhello\n")
    (tmp_path / "data.xlsx").write_text("")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--checkpoint" not in argv:
        argv += ["--checkpoint", str(tiny_checkpoint)]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("framing: error:") and message in err


def test_subcommands_have_help():
    for command in ["predict", "train", "evaluate"]:
        result = subprocess.run(
            [sys.executable, "-m", "framing.cli", command, "--help"], capture_output=True, text=True
        )
        assert result.returncode == 0 and "usage: framing " + command in result.stdout


def test_error_exit_has_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "framing.cli", "train", "--config", str(tmp_path / "no.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"framing: error: config file not found: {tmp_path / 'no.yaml'}"


def cli(*argv, stdin: bytes = b"", env=None):
    """The installed command in a child process: real standard streams, not a terminal."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "framing.cli", *[str(a) for a in argv]],
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_predict_dash_reads_one_passage_per_line_of_standard_input(tiny_checkpoint):
    done = cli("predict", "--checkpoint", tiny_checkpoint, "-", stdin=f"{NEUTRAL[0]}\n\n{EDITORIAL[0]}\n".encode())
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["text"] for line in done.stdout.decode().splitlines()] == [NEUTRAL[0], EDITORIAL[0]]


@pytest.mark.parametrize("command", ["predict", "analyze"])
def test_latin1_on_standard_input_is_one_clear_error(tiny_checkpoint, command):
    done = cli(command, "--checkpoint", tiny_checkpoint, "-", stdin="Caf\xe9 owners protested.\n".encode("latin-1"))
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        "framing: error: standard input: not valid UTF-8 (invalid continuation byte at byte 3)"
    )


def test_loads_are_quiet_and_long_jobs_show_no_bar_off_a_terminal(tiny_checkpoint, tmp_path):
    for flags in ([], ["--fp32"]):
        done = cli("predict", "--checkpoint", tiny_checkpoint, *flags, NEUTRAL[0])
        assert done.returncode == 0 and done.stderr == b"", done.stderr  # no "Loading weights" bar
    source = tmp_path / "in.txt"
    source.write_text("\n".join(NEUTRAL) + "\n")
    done = cli("predict", "--checkpoint", tiny_checkpoint, "--input", source, "--output", tmp_path / "out.jsonl")
    assert done.returncode == 0 and done.stderr.decode().splitlines() == [
        f"framing: scored 8 rows (8 in all) into {tmp_path / 'out.jsonl'}"
    ]  # stderr is a pipe: no bar


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_predict_texts_to_a_file_write_the_format_its_name_says(capsys, tiny_checkpoint, tmp_path, suffix):
    target = tmp_path / f"out{suffix}"
    assert (
        run_cli(capsys, "predict", "--checkpoint", tiny_checkpoint, NEUTRAL[0], EDITORIAL[0], "--output", target)[0]
        == 0
    )
    frame = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".jsonl": lambda p: pd.read_json(p, lines=True)}[suffix](
        target
    )
    assert frame["text"].tolist() == [NEUTRAL[0], EDITORIAL[0]] and len(frame.columns) >= 3


def test_kept_columns_may_not_clash_with_output_columns(capsys, tiny_checkpoint, tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": NEUTRAL[:2], "label": ["x", "y"], "row": [7, 8]}).to_csv(source, index=False)
    code, _, err = run_cli(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        source,
        "--output",
        tmp_path / "out.jsonl",
        "--keep-columns",
        "row",
        "label",
    )
    assert code == 2 and "--keep-columns label, row: the output has its own column" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_empty_kept_cells_are_null_in_strict_json_and_ids_keep_their_type(capsys, tiny_checkpoint, tmp_path):
    source = tmp_path / "in.parquet"
    pd.DataFrame(
        {
            "text": NEUTRAL[:3],
            "id": [1, 2, 3],
            "when": pd.to_datetime(["2020-01-01", None, "2020-01-03"]),
            "note": ["a", None, float("nan")],
        }
    ).to_parquet(source)
    output = tmp_path / "out.jsonl"
    assert (
        run_cli(
            capsys,
            "predict",
            "--checkpoint",
            tiny_checkpoint,
            "--input",
            source,
            "--output",
            output,
            "--keep-columns",
            "id",
            "when",
            "note",
        )[0]
        == 0
    )
    rows = [
        json.loads(line, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
        for line in output.read_text().splitlines()
    ]
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[1]["when"] is None and rows[1]["note"] is None and rows[2]["note"] is None


@pytest.mark.parametrize(
    "argv,message",
    [
        (["predict", "--batch-size", "-1", "x"], "argument --batch-size: must be at least 1, got -1"),
        (["predict", "--batch-size", "0", "x"], "argument --batch-size: must be at least 1, got 0"),
        (["predict", "--chunk-size", "two", "x"], "argument --chunk-size: expected a whole number, got 'two'"),
        (
            ["predict", "--input", "a.csv", "--engine", "ray", "--workers", "0"],
            "argument --workers: must be at least 1",
        ),
        (["serve", "--port", "99999"], "argument --port: must be from 1 to 65535, got 99999"),
        (["crossval", "--config", "c.yaml", "--folds", "1"], "argument --folds: must be at least 2, got 1"),
        (["export", "--tolerance", "5"], "argument --tolerance: must be from 0 to 1, got 5"),
    ],
)
def test_every_numeric_option_is_checked_before_any_work(capsys, argv, message):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_python_dash_m_framing_is_the_command():
    done = subprocess.run([sys.executable, "-m", "framing", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("framing ")


@pytest.mark.parametrize("kept", [["scores.editorializing"], ["scores.neutral", "id"], ["id", "id"]])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_kept_column_never_takes_a_result_columns_name(capsys, tiny_checkpoint, tmp_path, kept, suffix):
    # Issue 25, case 10: an earlier model's scores.editorializing was kept, and the CSV held
    # the old value under the new name and the new score renamed
    source = tmp_path / "in.csv"
    pd.DataFrame(
        {"text": NEUTRAL[:2], "id": [1, 2], "scores.editorializing": [0.1, 0.9], "scores.neutral": [0.9, 0.1]}
    ).to_csv(source, index=False)
    code, _, err = run_cli(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        source,
        "--output",
        tmp_path / f"out{suffix}",
        "--keep-columns",
        *kept,
    )
    clash = (
        "named more than once" if kept == ["id", "id"] else f"--keep-columns {kept[0]}: the output has its own column"
    )
    assert code == 2 and clash in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / f"out{suffix}").exists()


def test_the_terminal_view_gives_a_sentence_its_own_labels_probability_with_three_labels():
    # before: a "factual" sentence showed 1 - P(editorializing) = 80%, another label's figure
    from framing.terminal import render_analysis

    from helpers import three_label_answer

    text = "Officials said so. It is a disgrace."
    scores = [
        {"neutral": 0.3, "factual": 0.5, "editorializing": 0.2},
        {"neutral": 0.1, "factual": 0.2, "editorializing": 0.7},
    ]
    analysis = three_label_answer(text, scores, marks_words=True)
    assert render_analysis(analysis, color=False).splitlines()[:2] == [
        "[factual 50%] Officials said so.",
        "[EDITORIALIZING 70%] It is a disgrace.",
    ]
