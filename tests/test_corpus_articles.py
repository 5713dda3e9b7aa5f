"""Whole articles in a corpus job (`framing predict --articles`): an article row and its
sentences' rows per input row, the same as `analyze` gives (with a technique head, its
techniques too), in every output format, resumable, and the same rows on Ray as locally."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framing import FramingClassifier
from framing.cli import main
from framing.corpus import LocalEngine, score_corpus
from framing.corpus_articles import FORMAT
from framing.errors import FramingError

from helpers import EDITORIAL, NEUTRAL, articles_frame, interrupted
from helpers import score_articles as score


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


def test_each_article_is_its_row_then_its_sentences_as_analyze_gives_them(classifier, tmp_path):
    frame = articles_frame(7)
    summary, output = score(classifier, frame, tmp_path, ".parquet")
    assert summary["rows"] == 7 and summary["scored"] == 7
    scored = pd.read_parquet(output)
    assert list(scored["layout"].unique()) == [FORMAT] and scored["model"].nunique() == 1
    for row, (doc_id, body) in enumerate(zip(frame["doc_id"], frame["body"]), start=1):
        rows = scored[scored["row"] == row]
        article, sentences = rows.iloc[0], rows.iloc[1:]
        analysis = classifier.analyze(body)
        assert article["level"] == "article" and article["doc_id"] == doc_id
        assert (sentences["level"] == "sentence").all() and list(sentences["sentence"]) == list(range(len(sentences)))
        assert article["sentences"] == len(analysis["sentences"]) == len(sentences)
        assert article["editorializing_sentences"] == analysis["summary"]["editorializing_sentences"]
        assert article["author_voice_editorializing"] == analysis["summary"]["author_voice_editorializing"]
        assert list(sentences["text"]) == [s["text"] for s in analysis["sentences"]]
        assert list(sentences["label"]) == [s["label"] for s in analysis["sentences"]]
        assert list(sentences["words"].map(list)) == [
            [w["text"] for w in s["highlights"]] for s in analysis["sentences"]
        ]
        assert sentences["score"].tolist() == pytest.approx([s["score"] for s in analysis["sentences"]], abs=1e-6)
        assert (sentences["doc_id"] == doc_id).all()  # kept columns on every row: a sentence row stands alone


def test_every_output_format_holds_the_same_rows(classifier, tmp_path):
    frame = articles_frame(5)
    _, parquet = score(classifier, frame, tmp_path / "p", ".parquet")
    _, csv = score(classifier, frame, tmp_path / "c", ".csv", chunk_size=2)
    _, jsonl = score(classifier, frame, tmp_path / "j", ".jsonl", chunk_size=4)
    a, b = pd.read_parquet(parquet), pd.read_csv(csv, keep_default_na=False)
    c = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(a) == len(b) == len(c)
    assert list(a["level"]) == list(b["level"]) == [r["level"] for r in c]
    sentence_rows = a["level"] == "sentence"
    assert b["words"][sentence_rows].tolist() == ["|".join(w) for w in a["words"][sentence_rows]]
    assert [r["words"] for r in c if r["level"] == "sentence"] == [list(w) for w in a["words"][sentence_rows]]
    assert b["sentence"].tolist() == ["" if pd.isna(v) else str(int(v)) for v in a["sentence"]]  # "3", never "3.0"


def test_a_resumed_article_job_continues_where_it_stopped(classifier, tmp_path, monkeypatch):
    frame = articles_frame(9)
    _, whole = score(classifier, frame, tmp_path / "whole", ".parquet")
    real = classifier.analyze
    monkeypatch.setattr(classifier, "analyze", interrupted(real, 5))  # in the second chunk of three articles
    with pytest.raises(KeyboardInterrupt):
        score(classifier, frame, tmp_path / "cut", ".parquet")
    monkeypatch.setattr(classifier, "analyze", real)
    summary, resumed = score(classifier, frame, tmp_path / "cut", ".parquet", resume=True)
    assert summary["scored"] == 6  # the first chunk was kept
    pd.testing.assert_frame_equal(pd.read_parquet(resumed), pd.read_parquet(whole))


def test_an_article_job_is_not_resumed_as_a_passage_job(classifier, tmp_path, monkeypatch):
    frame = articles_frame(4)
    real = classifier.analyze
    monkeypatch.setattr(classifier, "analyze", interrupted(real, 3))
    with pytest.raises(KeyboardInterrupt):
        score(classifier, frame, tmp_path, ".jsonl", chunk_size=2)
    monkeypatch.setattr(classifier, "analyze", real)
    with pytest.raises(FramingError, match="started with a different articles"):
        score_corpus(
            LocalEngine(classifier),
            tmp_path / "in.parquet",
            tmp_path / "scored.jsonl",
            model=classifier.provenance(),
            text_column="body",
            keep_columns=["doc_id", "outlet"],
            chunk_size=2,
            progress=False,
            resume=True,
        )


def test_kept_columns_that_clash_with_article_columns_are_refused(classifier, tmp_path):
    frame = articles_frame(2).assign(sentences=1)
    source = tmp_path / "in.parquet"
    frame.to_parquet(source)
    with pytest.raises(FramingError, match="--keep-columns sentences: the output has its own column"):
        score_corpus(
            LocalEngine(classifier, articles=True),
            source,
            tmp_path / "o.parquet",
            model=classifier.provenance(),
            text_column="body",
            keep_columns=["sentences"],
            progress=False,
        )


def test_an_article_that_cannot_be_analyzed_is_reported_on_its_row(classifier, tmp_path):
    frame = pd.DataFrame({"body": [NEUTRAL[0] + " " + EDITORIAL[0], "<html><body><nav>Home</nav></body></html>"]})
    source, output = tmp_path / "in.parquet", tmp_path / "o.jsonl"
    frame.to_parquet(source)
    score_corpus(
        LocalEngine(classifier, articles=True),
        source,
        output,
        model=classifier.provenance(),
        text_column="body",
        progress=False,
    )
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    failed = [r for r in rows if r["row"] == 2]
    assert len(failed) == 1 and failed[0]["sentences"] == 0 and "no article text" in failed[0]["error"]


def test_parquet_parts_with_and_without_errors_join(classifier, tmp_path):
    # the first chunk's articles all read, the second's holds an unreadable page: its `error`
    # is text where the first chunk's is empty, and the parts still join into one file
    bodies = [NEUTRAL[0] + " " + EDITORIAL[0], NEUTRAL[1], "<html><body><nav>Home</nav></body></html>"]
    source, output = tmp_path / "in.parquet", tmp_path / "o.parquet"
    pd.DataFrame({"body": bodies}).to_parquet(source)
    score_corpus(
        LocalEngine(classifier, articles=True),
        source,
        output,
        model=classifier.provenance(),
        text_column="body",
        chunk_size=2,
        progress=False,
    )
    articles = pd.read_parquet(output).query("level == 'article'")
    assert articles["error"].isna().tolist()[:2] == [True, True] and "no article text" in articles["error"].iloc[2]


def test_parts_that_cannot_join_are_named_in_one_line(tmp_path):
    from framing.corpus_files import join_parquet

    pd.DataFrame({"error": [1.5]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"error": ["unreadable"]}).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(FramingError, match="do not share one column type .*error"):
        join_parquet([tmp_path / "a.parquet", tmp_path / "b.parquet"], tmp_path / "joined.parquet")


def test_cli_articles_needs_an_input_file(tiny_checkpoint, capsys):
    assert main(["predict", "Some passage.", "--articles", "--checkpoint", str(tiny_checkpoint)]) == 2
    assert "--sample apply to --input files only" in capsys.readouterr().err


def test_limit_scores_the_first_rows_only(tiny_checkpoint, tmp_path):
    articles_frame(7).to_parquet(tmp_path / "in.parquet")
    assert (
        main(
            [
                "predict",
                "--input",
                str(tmp_path / "in.parquet"),
                "--text-column",
                "body",
                "--articles",
                "--limit",
                "4",
                "--chunk-size",
                "3",
                "--keep-columns",
                "doc_id",
                "--output",
                str(tmp_path / "o.csv"),
                "--checkpoint",
                str(tiny_checkpoint),
            ]
        )
        == 0
    )
    scored = pd.read_csv(tmp_path / "o.csv")
    assert scored[scored["level"] == "article"]["doc_id"].tolist() == ["a0", "a1", "a2", "a3"]


def test_ray_article_job_matches_the_local_one(classifier, tiny_checkpoint, tmp_path):
    pytest.importorskip("ray")
    from framing.ray_engine import RayEngine

    frame = articles_frame(6)
    _, local = score(classifier, frame, tmp_path / "local", ".jsonl")
    engine = RayEngine(str(tiny_checkpoint), workers=2, articles=True, rows_per_batch=2, classifier=classifier)
    try:
        score_corpus(
            engine,
            tmp_path / "local" / "in.parquet",
            tmp_path / "ray.jsonl",
            model=classifier.provenance(),
            text_column="body",
            keep_columns=["doc_id", "outlet"],
            chunk_size=3,
            progress=False,
        )
    finally:
        import ray

        ray.shutdown()
    assert (tmp_path / "ray.jsonl").read_text() == local.read_text()


def test_a_sample_is_seeded_in_file_order_and_a_resume_reads_the_same_rows(classifier, tmp_path):
    frame = articles_frame(20)
    _, first = score(classifier, frame, tmp_path / "a", ".jsonl", sample=6, seed=3)
    _, again = score(classifier, frame, tmp_path / "b", ".jsonl", sample=6, seed=3)
    _, other = score(classifier, frame, tmp_path / "c", ".jsonl", sample=6, seed=4)
    rows = [json.loads(line)["row"] for line in first.read_text().splitlines() if '"level": "article"' in line]
    assert len(rows) == 6 and rows == sorted(rows) and first.read_text() == again.read_text()
    assert other.read_text() != first.read_text()
    (tmp_path / "c" / "scored.jsonl").unlink()
    (tmp_path / "c" / "scored.jsonl.partial").mkdir()
    (tmp_path / "c" / "scored.jsonl.partial" / "plan.json").write_text("{}")
    with pytest.raises(FramingError, match="different .*selection"):
        score(classifier, frame, tmp_path / "c", ".jsonl", sample=6, seed=3, resume=True)
    with pytest.raises(FramingError, match="--limit and --sample: give one of the two"):
        score(classifier, frame, tmp_path / "d", ".jsonl", sample=6, limit=2)
