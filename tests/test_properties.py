"""Property-based tests (hypothesis): span offsets always slice the text; predict gives one
normalised result per input."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing import FramingClassifier
from framing.segment import quotation_spans, sentence_spans

ALPHABET = st.sampled_from(list("abc XYZ.,!?;:\"'“”‘’«»—-\n\t0123456789é漢🙂") + ["Sen.", "U.S.", "Dr.", "\n\n"])
TEXTS = st.lists(ALPHABET, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_sentence_spans_slice_the_text_in_order(text):
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end
    covered = {i for a, b in spans for i in range(a, b)}
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_quotation_spans_are_ordered_and_disjoint(text):
    previous_end = 0
    for start, end in quotation_spans(text):
        assert previous_end <= start < end <= len(text)
        previous_end = end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=200).filter(lambda t: t.strip()), min_size=1, max_size=6))
def test_predict_gives_one_normalised_result_per_input(tiny_checkpoint, texts):
    classifier = _classifier(tiny_checkpoint)
    proba = classifier.predict_proba(texts)
    assert proba.shape == (len(texts), 2)
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5) and (proba >= 0).all()
    results = classifier(texts)
    assert len(results) == len(texts)


_cache = {}


def _classifier(path):
    if path not in _cache:
        _cache[path] = FramingClassifier.from_pretrained(path)
    return _cache[path]
