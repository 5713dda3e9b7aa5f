import json

import pytest

from framing import FramingClassifier, FramingError

from helpers import EDITORIAL, NEUTRAL

ARTICLE = f"{NEUTRAL[0]} {EDITORIAL[0]}\n\nCritics said “{EDITORIAL[1]}” {NEUTRAL[1]}"


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


def test_sentences_carry_offsets_labels_and_scores(classifier):
    analysis = classifier.analyze(ARTICLE)
    sentences = analysis["sentences"]
    assert [s["text"] for s in sentences] == [NEUTRAL[0], EDITORIAL[0], f"Critics said “{EDITORIAL[1]}”", NEUTRAL[1]]
    for s in sentences:
        assert ARTICLE[s["start"] : s["end"]] == s["text"]
        assert s["label"] in classifier.labels and s["score"] == max(s["scores"].values())
        for word in s["highlights"]:
            assert ARTICLE[word["start"] : word["end"]] == word["text"] and s["start"] <= word["start"]
            assert word["weight"] >= classifier.word_threshold


def test_sentence_labels_match_predict(classifier):
    analysis = classifier.analyze(ARTICLE)
    direct = classifier([s["text"] for s in analysis["sentences"]])
    assert [s["label"] for s in analysis["sentences"]] == [d["label"] for d in direct]
    assert [s["score"] for s in analysis["sentences"]] == pytest.approx([d["score"] for d in direct], abs=1e-5)


def test_quoted_sentence_and_words_are_marked(classifier):
    sentences = classifier.analyze(ARTICLE)["sentences"]
    assert [s["quoted"] for s in sentences] == [False, False, True, False]
    _, words = classifier.predict_with_words([sentences[2]["text"]], min_weight=0.0)
    inside = [w for w in words[0] if w["text"] == "shameful"]
    assert inside  # the quoted word exists as a word of the sentence


def test_summary_counts_author_voice_apart_from_quotes(classifier):
    analysis = classifier.analyze(ARTICLE)
    summary, flag = analysis["summary"], analysis["flag_label"]
    flagged = [s for s in analysis["sentences"] if s["label"] == flag]
    assert summary["sentences"] == 4
    assert summary["editorializing_sentences"] == len(flagged)
    assert summary["author_voice_editorializing"] + summary["quoted_editorializing"] == len(flagged)
    assert summary["quoted_editorializing"] == sum(s["quoted"] for s in flagged)
    assert summary["editorializing_share"] == pytest.approx(len(flagged) / 4)
    assert 0 <= summary["editorializing_share_by_length"] <= 1
    assert summary["mean_probability"] == pytest.approx(sum(s["scores"][flag] for s in analysis["sentences"]) / 4)
    scores = [t["score"] for t in summary["top_sentences"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 3


def test_min_weight_zero_lists_every_word_that_can_be_loaded(classifier):
    _, words = classifier.predict_with_words([EDITORIAL[0]], min_weight=0.0)  # no function words (framing.words)
    assert [w["text"] for w in words[0]] == [
        "senator",
        "apologist",
        "foreign",
        "policy",
        "another",
        "humiliating",
        "retreat",
    ]


@pytest.mark.parametrize("bad, message", [("", "empty text"), ("  \n ", "empty text"), (None, "got NoneType")])
def test_bad_articles(classifier, bad, message):
    with pytest.raises(FramingError, match=message):
        classifier.analyze(bad)


@pytest.fixture(scope="module")
def wordless(tiny_base, tiny_data, tmp_path_factory):
    """The tiny model retrained on the same rows without their marked-words column: its word
    head keeps its random initialisation."""
    from framing.training.config import config_from_dict
    from framing.training.train import train

    from helpers import tiny_config_dict

    config = tiny_config_dict(tiny_base, tiny_data)
    config["data"].pop("words_column")
    folder = train(config_from_dict(config), tmp_path_factory.mktemp("wordless") / "tiny", progress=False)
    return FramingClassifier.from_pretrained(folder)


def test_a_word_head_training_never_taught_marks_no_word_anywhere(wordless, classifier):
    from fastapi.testclient import TestClient

    from framing.server import create_app
    from framing.terminal import render_analysis

    # the untrained head would mark words ("the", "on"): else this test could not fail
    _, raw = wordless.forward([NEUTRAL[0], EDITORIAL[0]], with_words=True)
    assert any(w["weight"] >= wordless.word_threshold for words in raw for w in words)
    assert classifier.marks_words and not wordless.marks_words
    analysis = wordless.analyze(ARTICLE)
    assert analysis["marks_words"] is False and all(s["highlights"] == [] for s in analysis["sentences"])
    assert wordless.predict_with_words([EDITORIAL[0]], min_weight=0.0)[1] == [[]]
    comparison = wordless.contrast([" ".join(NEUTRAL[:3]), " ".join(EDITORIAL[:3])])
    assert comparison["marks_words"] is False and "Loaded words" not in comparison["verdict"]
    assert all(a["loaded_words"] == a["loaded_words_only_here"] == [] for a in comparison["articles"])
    view = render_analysis(analysis, color=False)
    assert "[[" not in view and "(no words marked: this model was trained without marked words)" in view
    client = TestClient(create_app(wordless))
    model = client.get("/v1/model").json()
    assert model["marks_words"] is False and model["word_threshold"] is None
    assert all(s["highlights"] == [] for s in client.post("/v1/analyze", json={"text": ARTICLE}).json()["sentences"])


@pytest.mark.parametrize(
    "train_section, words_column, marks",
    [
        ({"word_loss_weight": 0.0}, "words", False),  # the column, but no loss on it
        ({}, None, False),  # no column (word_loss_weight's default is 0 too)
        ({"word_loss_weight": 2.0}, "words", True),
    ],
)
def test_the_training_config_says_whether_the_word_head_was_trained(
    tiny_checkpoint, tmp_path, train_section, words_column, marks
):
    import shutil

    import yaml

    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    meta = json.loads((folder / "framing.json").read_text())
    assert meta.pop("word_head") is True  # what training records now; older checkpoints lack it:
    (folder / "framing.json").write_text(json.dumps(meta))  # for those, the config tells
    config = yaml.safe_load((folder / "training_config.yaml").read_text())
    config["data"]["words_column"] = words_column
    config["train"] = {**{k: v for k, v in config["train"].items() if k != "word_loss_weight"}, **train_section}
    (folder / "training_config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    clf = FramingClassifier.from_pretrained(folder)
    assert clf.marks_words is marks
    assert any(s["highlights"] for s in clf.analyze(ARTICLE)["sentences"]) is marks
