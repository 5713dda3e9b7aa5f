"""The techniques on every surface: the CLI, the HTTP API and its schema, contrast's verdict and
corpus scoring; a model without the head keeps its outputs and says so."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from framing import FramingClassifier
from framing.contrast import verdict
from framing.server import create_app
from framing.techniques import NOT_AVAILABLE

from helpers import EDITORIAL, NEUTRAL, run_cli

LOADED = "The greedy company boasted of obscene profits."


@pytest.fixture(scope="module")
def client(technique_checkpoint):
    return TestClient(create_app(FramingClassifier.from_pretrained(technique_checkpoint)))


def test_predict_over_http_lists_the_techniques_found_or_all(client):
    found = client.post("/v1/predict", json={"texts": [LOADED]}).json()["results"][0]
    assert isinstance(found["techniques"], list) and all("found" not in t for t in found["techniques"])
    every = client.post("/v1/predict", json={"texts": [LOADED], "all_techniques": True}).json()["results"][0]
    assert len(every["techniques"]) == 3 and {t["found"] for t in every["techniques"]} <= {True, False}
    assert [t["technique"] for t in every["techniques"] if t["found"]] == [t["technique"] for t in found["techniques"]]


def test_the_model_and_the_schema_describe_the_techniques(client, exported):
    model = client.get("/v1/model").json()["techniques"]
    assert model["labels"] == ["Loaded_Language", "Doubt", "Other_Technique"]
    assert model["names"]["Loaded_Language"] == "Loaded language" and set(model["thresholds"]) == set(model["labels"])
    schema = client.get("/openapi.json").json()
    assert "techniques" in schema["components"]["schemas"]["PredictResult"]["properties"]
    assert "all_techniques" in schema["components"]["schemas"]["PredictRequest"]["properties"]
    plain = TestClient(create_app(FramingClassifier.from_pretrained(exported)))
    assert plain.get("/v1/model").json()["techniques"] is None
    result = plain.post("/v1/predict", json={"texts": [LOADED]}).json()["results"][0]
    assert "techniques" not in result and set(result) == {"label", "score", "scores"}


def test_analyze_over_http_carries_explanations(client):
    analysis = client.post("/v1/analyze", json={"text": " ".join(NEUTRAL[:2] + EDITORIAL[:3])}).json()
    assert analysis["techniques_available"] and set(analysis["summary"]["techniques"]) == {"author_voice", "quoted"}
    flagged = [s for s in analysis["sentences"] if s["label"] == analysis["flag_label"]]
    assert all(isinstance(s["explanation"], str) and s["explanation"] for s in flagged)


def test_analyze_with_all_techniques_marks_the_found_ones_and_counts_only_those(technique_checkpoint):
    classifier = FramingClassifier.from_pretrained(technique_checkpoint)
    head = classifier.meta.techniques
    classifier.meta.techniques = head.model_copy(update={"thresholds": {"Loaded_Language": 0.0, "Doubt": 1.0}})
    article = " ".join(NEUTRAL[:2] + EDITORIAL[:2]) + f' "{EDITORIAL[2][:-1]}," a critic said.'
    found, every = classifier.analyze(article), classifier.analyze(article, all_techniques=True)
    assert every["summary"] == found["summary"] and found["summary"]["techniques"]["quoted"] == {"Loaded_Language": 1}
    for listed, sentence in zip(every["sentences"], found["sentences"]):
        assert len(listed["techniques"]) == 3 and listed["explanation"] == sentence["explanation"]
        assert [{k: v for k, v in t.items() if k != "found"} for t in listed["techniques"] if t["found"]] == sentence[
            "techniques"
        ]


def test_cli_predict_and_all_techniques(capsys, technique_checkpoint, exported):
    code, out, _ = run_cli(capsys, "predict", LOADED, "--checkpoint", technique_checkpoint, "--all-techniques")
    record = json.loads(out)
    assert code == 0 and len(record["techniques"]) == 3
    code, out, err = run_cli(capsys, "predict", LOADED, "--checkpoint", exported, "--all-techniques")
    assert code == 2 and NOT_AVAILABLE in err and not out


def test_cli_analyze_shows_explanations_and_counts(capsys, technique_checkpoint, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(" ".join(NEUTRAL[:2] + EDITORIAL[:4]))
    code, out, _ = run_cli(capsys, "analyze", article, "--checkpoint", technique_checkpoint, "--color", "never")
    assert code == 0 and "techniques in the writer's voice:" in out and "techniques in quotes:" in out
    flagged = [line for line in out.splitlines() if line.startswith("[EDITORIALIZING")]
    explanations = [line for line in out.splitlines() if line.startswith("    ")]
    assert len(explanations) == len(flagged) and NOT_AVAILABLE not in out


def _article(index: int, techniques) -> dict:
    return {
        "index": index,
        "title": f"T{index}",
        "sentences": 10,
        "author_voice_editorializing": 3,
        "quoted_editorializing": 0,
        "loaded_words_only_here": [],
        "techniques": techniques,
    }


def test_the_verdict_names_the_techniques_only_one_article_uses():
    text = verdict([_article(0, {"Loaded_Language": 2, "Doubt": 1}), _article(1, {"Loaded_Language": 1})])
    assert "Only article 1 uses doubt in the writer's own voice." in text and "Only article 2" not in text
    assert "Only article" not in verdict([_article(0, None), _article(1, {"Doubt": 1})])


def test_contrast_counts_each_articles_techniques(technique_checkpoint):
    classifier = FramingClassifier.from_pretrained(technique_checkpoint)
    result = classifier.contrast([" ".join(NEUTRAL[:3]), " ".join(EDITORIAL[:3])])
    assert result["techniques_available"]
    for article in result["articles"]:
        assert article["techniques"] == article["analysis"]["summary"]["techniques"]["author_voice"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_corpus_scoring_keeps_the_techniques(capsys, technique_checkpoint, tmp_path, suffix):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": NEUTRAL + EDITORIAL}).to_csv(source, index=False)
    output = tmp_path / f"out{suffix}"
    code, _, err = run_cli(
        capsys, "predict", "--input", source, "--output", output, "--checkpoint", technique_checkpoint, "--no-progress"
    )
    assert code == 0, err
    classifier = FramingClassifier.from_pretrained(technique_checkpoint)
    expected = classifier.techniques(NEUTRAL + EDITORIAL)
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in output.read_text().splitlines()]
        assert [row["techniques"] for row in rows] == expected
        return
    table = pd.read_csv(output, keep_default_na=False) if suffix == ".csv" else pd.read_parquet(output)
    names = [[t["technique"] for t in found] for found in expected]
    written = ["|".join(t) for t in names] if suffix == ".csv" else names  # CSV: names joined with "|"
    assert [t if suffix == ".csv" else list(t) for t in table["techniques"]] == written
    for label in classifier.technique_labels:
        assert f"techniques.{label}" in table.columns
    probabilities = classifier.predict_techniques(NEUTRAL + EDITORIAL)
    assert abs(table["techniques.Loaded_Language"].to_numpy() - probabilities[:, 0]).max() < 1e-6
    # passages given as arguments write the same columns (no `row`), never a list's Python text
    given = tmp_path / f"given{suffix}"
    code, _, err = run_cli(
        capsys, "predict", *NEUTRAL, *EDITORIAL, "--output", given, "--checkpoint", technique_checkpoint
    )
    assert code == 0, err
    written = pd.read_csv(given, keep_default_na=False) if suffix == ".csv" else pd.read_parquet(given)
    assert written["text"].tolist() == NEUTRAL + EDITORIAL
    pd.testing.assert_frame_equal(written.drop(columns="text"), table.drop(columns="row"), atol=1e-6)
