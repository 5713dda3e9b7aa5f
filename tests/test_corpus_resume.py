"""Resuming corpus scoring never passes another job's output for this one, and refuses to
mix rows scored two ways."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from framing.cli import main

from helpers import interrupted


@pytest.fixture
def inputs(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"text": [f"The senator spoke on day {i}." for i in range(12)]}).to_csv(a, index=False)
    pd.DataFrame({"text": [f"The mayor's absurd scheme, part {i}." for i in range(30)]}).to_csv(b, index=False)
    return a, b


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def test_resume_after_an_interrupted_overwrite_continues_the_new_job(
    capsys, tiny_checkpoint, inputs, tmp_path, monkeypatch
):
    a, b = inputs
    out = tmp_path / "out.jsonl"
    assert run(capsys, "predict", "--checkpoint", tiny_checkpoint, "--input", a, "--output", out)[0] == 0
    import framing.corpus as corpus

    real, written = corpus._write_part, []

    def killed_after_two(output, index, records):  # an --overwrite run with b dies after 2 parts
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(index)
        real(output, index, records)

    monkeypatch.setattr(corpus, "_write_part", killed_after_two)
    code, _ = run(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        b,
        "--output",
        out,
        "--overwrite",
        "--chunk-size",
        "5",
    )
    assert code == 130 and len(written) == 2
    monkeypatch.setattr(corpus, "_write_part", real)
    code, err = run(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        b,
        "--output",
        out,
        "--resume",
        "--chunk-size",
        "5",
    )
    assert code == 0 and "scored 20 rows (30 in all)" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["row"] for r in rows] == list(range(1, 31)) and "absurd scheme, part 29" not in rows[0].get("text", "")


def test_resume_of_a_finished_output_says_so_with_its_row_count(capsys, tiny_checkpoint, inputs, tmp_path, monkeypatch):
    a, _ = inputs
    out = tmp_path / "out.jsonl"
    real_rmtree = shutil.rmtree
    import framing.corpus as corpus

    def killed_before_cleanup(path, *args, **kwargs):  # the output is in place, the partial folder stays
        if str(path).endswith(".partial") and out.exists():
            raise KeyboardInterrupt
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(corpus.shutil, "rmtree", killed_before_cleanup)
    assert run(capsys, "predict", "--checkpoint", tiny_checkpoint, "--input", a, "--output", out)[0] == 130
    monkeypatch.setattr(corpus.shutil, "rmtree", real_rmtree)
    code, err = run(capsys, "predict", "--checkpoint", tiny_checkpoint, "--input", a, "--output", out, "--resume")
    assert code == 0 and "already complete (12 rows)" in err and "None" not in err
    assert len(out.read_text().splitlines()) == 12 and not (tmp_path / "out.jsonl.partial").exists()


@pytest.mark.parametrize("change,named", [(["--fp32"], "model runtime"), (["--batch-size", "3"], None)])
def test_resume_refuses_a_different_back_end_but_not_another_batch_size(
    capsys, tiny_checkpoint, inputs, tmp_path, monkeypatch, change, named
):
    """Back ends score differently, so a resume must use the same one; batch size changes no
    score (every back end is batch-invariant), so it may differ."""
    from framing.checkpoint import update_meta

    _, b = inputs
    out = tmp_path / "out.jsonl"
    tiny_checkpoint = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    update_meta(tiny_checkpoint, {"runtime": {"name": "onnx-int8"}})  # the default; --fp32 is another back end
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    import framing.corpus as corpus

    real = corpus._write_part
    monkeypatch.setattr(corpus, "_write_part", interrupted(real, 2))  # stopped writing its second part
    assert (
        run(capsys, "predict", "--checkpoint", tiny_checkpoint, "--input", b, "--output", out, "--chunk-size", "10")[0]
        == 130
    )
    monkeypatch.setattr(corpus, "_write_part", real)
    code, err = run(
        capsys,
        "predict",
        "--checkpoint",
        tiny_checkpoint,
        "--input",
        b,
        "--output",
        out,
        "--resume",
        "--chunk-size",
        "10",
        *change,
    )
    if named:
        assert code == 2 and named in err and not out.exists()
    else:
        assert code == 0, err
        assert len(out.read_text().splitlines()) == 30


def test_resume_refuses_changed_weights(capsys, tiny_checkpoint, inputs, tmp_path, monkeypatch):
    _, b = inputs
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    out = tmp_path / "out.jsonl"
    import framing.corpus as corpus

    real = corpus._write_part
    monkeypatch.setattr(corpus, "_write_part", interrupted(real, 2))  # stopped writing its second part
    run(capsys, "predict", "--checkpoint", folder, "--input", b, "--output", out, "--chunk-size", "10")
    monkeypatch.setattr(corpus, "_write_part", real)
    from safetensors.numpy import load_file, save_file

    heads = folder / "framing_heads.safetensors"
    tensors = load_file(heads)
    save_file({name: value + 0.5 for name, value in tensors.items()}, heads)  # retrained weights, same path
    code, err = run(
        capsys, "predict", "--checkpoint", folder, "--input", b, "--output", out, "--resume", "--chunk-size", "10"
    )
    assert code == 2 and "model weights_sha256" in err and not out.exists()
    save_file(tensors, heads)  # the original weights again: the job continues
    assert (
        run(capsys, "predict", "--checkpoint", folder, "--input", b, "--output", out, "--resume", "--chunk-size", "10")[
            0
        ]
        == 0
    )
    assert len(out.read_text().splitlines()) == 30


def test_output_may_not_be_the_input(capsys, tiny_checkpoint, inputs):
    a, _ = inputs
    before = a.read_bytes()
    code, err = run(capsys, "predict", "--checkpoint", tiny_checkpoint, "--input", a, "--output", a, "--overwrite")
    assert code == 2 and "is the input file" in err and a.read_bytes() == before


def test_resume_refuses_a_refitted_technique_head_naming_what_changed(
    capsys, technique_checkpoint, inputs, tmp_path, monkeypatch
):
    """The technique scores depend on the head's thresholds too, which the weights' digest does
    not cover: a refit between the runs is refused by name; the same head resumes."""
    from framing.checkpoint import read_meta, update_meta

    _, b = inputs
    folder = shutil.copytree(technique_checkpoint, tmp_path / "ckpt")
    out = tmp_path / "out.jsonl"
    import framing.corpus as corpus

    real = corpus._write_part
    monkeypatch.setattr(corpus, "_write_part", interrupted(real, 2))
    run(capsys, "predict", "--checkpoint", folder, "--input", b, "--output", out, "--chunk-size", "10")
    monkeypatch.setattr(corpus, "_write_part", real)
    head = read_meta(folder).techniques
    update_meta(folder, {"techniques": {**head.model_dump(), "thresholds": {k: 0.9 for k in head.labels}}})
    resume = ("predict", "--checkpoint", folder, "--input", b, "--output", out, "--resume", "--chunk-size", "10")
    code, err = run(capsys, *resume)
    assert code == 2 and "model techniques.thresholds.Loaded_Language (" in err and not out.exists()
    assert "lexicon_sha256" not in err and "weights_sha256" not in err  # only what changed is named
    update_meta(folder, {"techniques": head.model_dump()})  # the head as it was: the job continues
    assert run(capsys, *resume)[0] == 0 and len(out.read_text().splitlines()) == 30
