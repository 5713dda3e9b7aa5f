import pytest

from framing import FramingClassifier, FramingError

from helpers import EDITORIAL, NEUTRAL

ARTICLE = (f"{NEUTRAL[0]} {EDITORIAL[0]}\n\nCritics said “{EDITORIAL[1]}” {NEUTRAL[1]}")


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


def test_sentences_carry_offsets_labels_and_scores(classifier):
    analysis = classifier.analyze(ARTICLE)
    sentences = analysis["sentences"]
    assert [s["text"] for s in sentences] == [NEUTRAL[0], EDITORIAL[0], f"Critics said “{EDITORIAL[1]}”", NEUTRAL[1]]
    for s in sentences:
        assert ARTICLE[s["start"]:s["end"]] == s["text"]
        assert s["label"] in classifier.labels and s["score"] == max(s["scores"].values())
        for word in s["highlights"]:
            assert ARTICLE[word["start"]:word["end"]] == word["text"] and s["start"] <= word["start"]
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
    assert [w["text"] for w in words[0]] == ["senator", "apologist", "foreign", "policy", "another", "humiliating",
                                             "retreat"]


@pytest.mark.parametrize("bad, message", [("", "empty text"), ("  \n ", "empty text"), (None, "got NoneType")])
def test_bad_articles(classifier, bad, message):
    with pytest.raises(FramingError, match=message):
        classifier.analyze(bad)
