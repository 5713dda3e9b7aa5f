"""Whole articles in a corpus job (`framing predict --articles`): an article row and its
sentences' rows per input row, the same as `analyze` gives (with a technique head, its
techniques too), in every output format, resumable, and the same rows on Ray as locally."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing import FramingClassifier
from framing.cli import main
from framing.corpus import LocalEngine, score_corpus
from framing.corpus_articles import ARTICLE_FIELDS, FORMAT, SENTENCE_FIELDS, analyze_compact, article_table
from framing.errors import FramingError

from helpers import EDITORIAL, NEUTRAL, interrupted


def articles_frame(count: int) -> pd.DataFrame:
    sentences = NEUTRAL + EDITORIAL
    texts = [" ".join(sentences[(i + j) % len(sentences)] for j in range(2 + i % 4)) for i in range(count)]
    return pd.DataFrame(
        {"doc_id": [f"a{i}" for i in range(count)], "outlet": [f"o{i % 3}" for i in range(count)], "body": texts}
    )


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


def score(classifier, frame, tmp_path, suffix, chunk_size=3, **options):
    tmp_path.mkdir(parents=True, exist_ok=True)
    source, output = tmp_path / "in.parquet", tmp_path / f"scored{suffix}"
    if not source.exists():  # a resumed job reads the same file
        frame.to_parquet(source)
    summary = score_corpus(
        LocalEngine(classifier, articles=True),
        source,
        output,
        model=classifier.provenance(),
        text_column="body",
        keep_columns=["doc_id", "outlet"],
        chunk_size=chunk_size,
        progress=False,
        **options,
    )
    return summary, output


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


# Persuasion techniques: a checkpoint with a technique head adds them to both kinds of row.


def quoting_frame() -> pd.DataFrame:
    """Articles with opinion in the writer's voice and in quotes (both tallies), and last an
    unreadable page, in a chunk of its own with chunks of 2: a part with no sentence at all."""
    frame = articles_frame(5)
    quotes = [f' "{EDITORIAL[i][:-1]}," a critic said.' if i % 2 else "" for i in range(len(frame))]
    frame["body"] = frame["body"] + quotes
    unreadable = {"doc_id": ["a5"], "outlet": ["o2"], "body": ["<html><body><nav>Home</nav></body></html>"]}
    return pd.concat([frame, pd.DataFrame(unreadable)], ignore_index=True)


@pytest.fixture(scope="module")
def with_techniques(technique_checkpoint):
    """The tiny checkpoint with a technique head, each threshold at its technique's median over
    quoting_frame()'s sentences: some found, some not (its own thresholds find none there)."""
    classifier = FramingClassifier.from_pretrained(technique_checkpoint)
    texts = [s["text"] for body in quoting_frame()["body"][:-1] for s in classifier.analyze(body)["sentences"]]
    head = classifier.meta.techniques
    medians = dict(zip(head.labels, np.median(classifier.predict_techniques(texts), axis=0).tolist()))
    classifier.meta = classifier.meta.model_copy(update={"techniques": head.model_copy(update={"thresholds": medians})})
    return classifier


@pytest.fixture(scope="module")
def technique_outputs(with_techniques, tmp_path_factory):
    """The article job of quoting_frame() in each format, in chunks of 2 articles."""
    folder = tmp_path_factory.mktemp("techniques")
    return {
        suffix: score(with_techniques, quoting_frame(), folder / suffix[1:], suffix, chunk_size=2)[1]
        for suffix in (".parquet", ".csv", ".jsonl")
    }


def test_techniques_of_each_sentence_and_article_are_what_analyze_gives(with_techniques, technique_outputs):
    rows = [json.loads(line) for line in technique_outputs[".jsonl"].read_text().splitlines()]
    table, labels = pd.read_parquet(technique_outputs[".parquet"]), with_techniques.technique_labels
    tallied = {"author_voice": 0, "quoted": 0}
    for row, body in enumerate(quoting_frame()["body"][:-1], start=1):
        article, *sentences = [r for r in rows if r["row"] == row]
        analysis = with_techniques.analyze(body)
        assert article["techniques"] == analysis["summary"]["techniques"]
        assert [s["techniques"] for s in sentences] == [s["techniques"] for s in analysis["sentences"]]
        flat = table[table["row"] == row]
        for voice, tally in analysis["summary"]["techniques"].items():
            written = {name: flat[f"techniques.{voice}.{name}"].iloc[0] for name in labels}
            assert written == {name: tally.get(name, 0) for name in labels}
            tallied[voice] += sum(tally.values())
        probabilities = with_techniques.predict_techniques([s["text"] for s in analysis["sentences"]])
        written = flat[[f"techniques.{name}" for name in labels]].iloc[1:].to_numpy()
        assert written == pytest.approx(probabilities, abs=1e-6)
    assert tallied["author_voice"] and tallied["quoted"]  # both tallies counted something


def test_every_format_holds_the_same_techniques_typed_alike_in_every_part(with_techniques, technique_outputs):
    import pyarrow.parquet as pq

    a = pd.read_parquet(technique_outputs[".parquet"])
    b = pd.read_csv(technique_outputs[".csv"], keep_default_na=False)
    c = [json.loads(line) for line in technique_outputs[".jsonl"].read_text().splitlines()]
    sentences, articles = a["level"] == "sentence", a["level"] == "article"
    names = [list(t) for t in a["techniques"][sentences]]
    assert any(names) and not all(names)  # sentences with techniques and without
    assert b["techniques"][sentences].tolist() == ["|".join(t) for t in names]
    assert [[t["technique"] for t in r["techniques"]] for r in c if r["level"] == "sentence"] == names
    assert a["techniques"][articles].isna().all() and (b["techniques"][articles] == "").all()
    schema = {field.name: str(field.type) for field in pq.read_schema(technique_outputs[".parquet"])}
    assert schema["techniques"] == "list<element: string>"
    for name in with_techniques.technique_labels:
        assert schema[f"techniques.{name}"] == "double"
        assert b[f"techniques.{name}"][sentences].astype(float).tolist() == pytest.approx(
            a[f"techniques.{name}"][sentences].tolist()
        )
        for voice in ("author_voice", "quoted"):
            count = a[f"techniques.{voice}.{name}"]
            assert schema[count.name] == "int64" and count[sentences].isna().all()
            assert b[count.name].tolist() == ["" if pd.isna(v) else str(int(v)) for v in count]  # "2", never "2.0"
            assert [r["techniques"][voice].get(name, 0) for r in c if r["level"] == "article"] == count[
                articles
            ].tolist()
    unreadable = a[articles].iloc[-1]  # no sentences: every count 0, as its other counts
    assert "no article text" in unreadable["error"] and unreadable["techniques.quoted.Doubt"] == 0
    frame = quoting_frame().iloc[:1]  # a chunk's table as written: counts are nullable integers
    analyses = [analyze_compact(with_techniques, frame["body"][0])]
    chunk = article_table(frame, analyses, frame[[]], with_techniques.labels, "m", with_techniques.technique_labels)
    assert chunk["techniques.quoted.Doubt"].dtype == "Int64"


def test_a_checkpoint_without_the_head_writes_the_columns_it_always_did(classifier, tmp_path):
    assert not classifier.has_techniques
    frame = articles_frame(3)
    _, parquet = score(classifier, frame, tmp_path / "p", ".parquet")
    _, csv = score(classifier, frame, tmp_path / "c", ".csv")
    _, jsonl = score(classifier, frame, tmp_path / "j", ".jsonl")
    before = ["row", "layout", "model", "doc_id", "outlet", "level", "sentence", *ARTICLE_FIELDS]
    before += [f for f in SENTENCE_FIELDS if f != "scores"] + [f"scores.{label}" for label in classifier.labels]
    assert list(pd.read_parquet(parquet).columns) == list(pd.read_csv(csv).columns) == before
    assert not [key for line in jsonl.read_text().splitlines() for key in json.loads(line) if "techniques" in key]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_a_report_reads_an_output_with_techniques(technique_outputs, suffix, tmp_path):
    from framing.report import report_tables

    tables = report_tables(technique_outputs[suffix], by="outlet")
    assert tables["groups"]["articles"].sum() == 5 and set(tables["groups"]["outlet"]) == {"o0", "o1", "o2"}
    assert "1 article(s)" in " ".join(tables["notes"]["note"])  # the unreadable page, named
    # each group's writer's-voice sentences per technique: the article rows' counts, summed
    articles = pd.read_parquet(technique_outputs[".parquet"]).query("level == 'article' and sentences > 0")
    techniques = tables["techniques"].set_index(["outlet", "technique"])
    voice = articles.groupby("outlet")["author_voice_sentences"].sum()
    for (outlet, name), row in techniques.iterrows():
        used = articles.loc[articles["outlet"] == outlet, f"techniques.author_voice.{name}"].sum()
        assert row["sentences"] == used and row["share"] == pytest.approx(used / voice[outlet])
    assert techniques["sentences"].sum() > 0 and len(tables["techniques"]) >= 3  # JSON lines: found ones only
    if suffix == ".csv":  # the page shows them, and no longer says the file was scored without a head
        assert main(["report", str(technique_outputs[suffix]), "--by", "outlet", "--output", str(tmp_path / "r")]) == 0
        page = (tmp_path / "r" / "index.html").read_text()
        assert "share of writer's-voice sentences" in page and "without a technique head" not in page
        assert (tmp_path / "r" / "techniques.csv").is_file()


def test_a_kept_column_named_techniques_is_refused_with_the_head_only(with_techniques, classifier, tmp_path):
    articles_frame(2).assign(techniques="listed").to_parquet(tmp_path / "in.parquet")
    options = {"text_column": "body", "keep_columns": ["techniques"], "progress": False}
    with pytest.raises(FramingError, match="--keep-columns techniques: the output has its own column"):
        engine = LocalEngine(with_techniques, articles=True)
        score_corpus(
            engine, tmp_path / "in.parquet", tmp_path / "a.jsonl", model=with_techniques.provenance(), **options
        )
    score_corpus(
        LocalEngine(classifier, articles=True),
        tmp_path / "in.parquet",
        tmp_path / "b.jsonl",
        model=classifier.provenance(),
        **options,
    )
    assert {json.loads(line)["techniques"] for line in (tmp_path / "b.jsonl").read_text().splitlines()} == {"listed"}
