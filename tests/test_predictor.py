import numpy as np
import pytest

from framing import FramingClassifier, FramingError

from helpers import EDITORIAL, NEUTRAL


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint, batch_size=3)


def test_string_gives_one_result_list_gives_a_list(classifier):
    one = classifier(NEUTRAL[0])
    assert set(one) == {"label", "score"} and one["label"] in classifier.labels
    many = classifier(NEUTRAL[:3])
    assert isinstance(many, list) and len(many) == 3 and many[0] == one


def test_top_k_none_gives_every_label_best_first(classifier):
    ranked = classifier(EDITORIAL[0], top_k=None)
    assert [r["label"] for r in ranked] != [] and sorted(r["label"] for r in ranked) == sorted(classifier.labels)
    assert ranked[0]["score"] >= ranked[1]["score"]
    assert sum(r["score"] for r in ranked) == pytest.approx(1.0, abs=1e-5)
    assert classifier(EDITORIAL[0], top_k=1) == ranked[0]


def test_batched_length_sorted_results_match_one_at_a_time(classifier):
    texts = NEUTRAL + EDITORIAL + ["Short.", "A " + "much " * 20 + "longer passage."]
    together = classifier.predict_proba(texts)
    alone = np.vstack([classifier.predict_proba([t]) for t in texts])
    assert together == pytest.approx(alone, abs=1e-5)


def test_temperature_changes_probabilities_not_labels(tiny_checkpoint):
    classifier = FramingClassifier.from_pretrained(tiny_checkpoint)
    classifier.meta.logit_bias = []  # the temperature alone (a bias may move the boundary: test_calibration.py)
    texts = NEUTRAL + EDITORIAL
    calibrated = classifier.predict_proba(texts)
    raw = np.exp(classifier.logits(texts))
    raw /= raw.sum(axis=1, keepdims=True)
    assert (calibrated.argmax(1) == raw.argmax(1)).all()


@pytest.mark.parametrize(
    "bad, message",
    [
        ("", "text 0: empty text"),
        ("   ", "text 0: empty text"),
        ([None], "text 0: expected a string, got NoneType"),
        (["ok", 3], "text 1: expected a string, got int"),
        (42, "expected a string or a list of strings, got int"),
    ],
)
def test_bad_input_is_named(classifier, bad, message):
    with pytest.raises(FramingError, match=message):
        classifier(bad)


def test_empty_list_gives_empty_list(classifier):
    assert classifier([]) == []


def test_records_list_scores_in_label_order_whatever_the_ranking(tiny_checkpoint):
    from framing import FramingClassifier

    clf = FramingClassifier.from_pretrained(tiny_checkpoint)
    for row in (np.array([0.3, 0.7]), np.array([0.6, 0.4])):  # probabilities in label order
        ranked = clf.results.result(row, top_k=None)
        record = clf.results.record(row)
        assert list(record["scores"]) == clf.labels and record["label"] == ranked[0]["label"]


@pytest.mark.parametrize(
    "bad, message",
    [
        (b"bytes in", "expected a string or a list of strings, got bytes"),
        ({"text": "x"}, "expected a string or a list of strings, got dict"),
        (["abc \ud800 def"], r"text 0: not valid Unicode \(lone surrogate at character 4\)"),
        ("abc\ud800", r"text 0: not valid Unicode"),
    ],
)
def test_what_cannot_be_text_is_refused_by_type(classifier, bad, message):
    with pytest.raises(FramingError, match=message):
        classifier(bad)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda ts: __import__("pandas").DataFrame({"text": ts}),
            r"got a DataFrame \(it iterates over its columns\): pass one column",
        ),
        (lambda ts: np.array([ts, ts]), "got a 2-D ndarray: pass one column"),
        (set, "got a set, which has no order: pass a list"),
    ],
)
def test_what_iterates_into_something_else_than_its_texts_is_refused(classifier, make, message):
    # a DataFrame iterates over its column names: it would be labelled "text" without a word
    for call in (classifier, classifier.predict_proba, classifier.logits, classifier.predict_with_words):
        with pytest.raises(FramingError, match=message):
            call(make(NEUTRAL[:3]))


@pytest.mark.parametrize("top_k", ["2", 0, -1, 1.5, True])
def test_top_k_must_be_none_or_a_positive_whole_number(classifier, top_k):
    with pytest.raises(FramingError, match="top_k"):
        classifier(NEUTRAL[0], top_k=top_k)


def test_what_users_pass_as_a_list_of_texts_is_accepted(classifier):
    import pandas as pd

    texts = NEUTRAL[:3]
    expected = classifier.predict_proba(texts)
    for make in (tuple, pd.Series, np.array, lambda ts: (t for t in ts)):
        assert classifier.predict_proba(make(texts)) == pytest.approx(expected)
        assert [r["label"] for r in classifier(make(texts))] == [r["label"] for r in classifier(list(texts))]
    assert classifier.predict_proba(NEUTRAL[0]) == pytest.approx(expected[:1])  # one string: [1, C]


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "8"])
def test_batch_size_must_be_a_positive_whole_number(tiny_checkpoint, batch_size):
    with pytest.raises(FramingError, match="batch size"):
        FramingClassifier.from_pretrained(tiny_checkpoint, batch_size=batch_size)


@pytest.mark.parametrize("text", ["abc \ud800 def", "Fine start.\n\nThen \udfff here."])
def test_analyze_refuses_a_lone_surrogate_like_predict(classifier, text):
    # Issue 25, case 13: analyze raised a bare UnicodeEncodeError where predict raised FramingError
    with pytest.raises(FramingError, match="article: not valid Unicode"):
        classifier.analyze(text)
