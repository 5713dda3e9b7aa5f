"""Article-mode corpus jobs with a technique head: each sentence's techniques and each
article's counts in the writer's voice and in quotes, in every format, and the report of them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing import FramingClassifier
from framing.cli import main
from framing.corpus import LocalEngine, score_corpus
from framing.corpus_articles import ARTICLE_FIELDS, SENTENCE_FIELDS, analyze_compact, article_table
from framing.errors import FramingError

from helpers import EDITORIAL, articles_frame
from helpers import score_articles as score


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


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
    # sentence rows too: `techniques` and a `techniques.<technique>` column are the head's own
    articles_frame(2).assign(**{"techniques.Doubt": 0.5}).to_parquet(tmp_path / "in2.parquet")
    for kept, articles in ((["techniques"], False), (["techniques.Doubt"], False), (["techniques.Doubt"], True)):
        with pytest.raises(FramingError, match=f"--keep-columns {kept[0]}: the output has its own column"):
            score_corpus(
                LocalEngine(with_techniques, articles=articles),
                tmp_path / "in2.parquet",
                tmp_path / "c.jsonl",
                model=with_techniques.provenance(),
                **{**options, "keep_columns": kept},
            )
    assert not (tmp_path / "c.jsonl").exists()
