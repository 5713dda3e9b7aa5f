"""The technique head's lexical half: numpy scoring that reproduces scikit-learn's TF-IDF and
logistic regression (the light install has neither), saved and loaded as plain arrays, and
mixed into the head's logits by the predictor at the checkpoint's share."""

from __future__ import annotations

import numpy as np
import pytest

from framing.errors import FramingError
from framing.technique_lexicon import LEXICON_FILE, TechniqueLexicon, terms
from framing.training.technique_head import fitted_lexicon

from helpers import EDITORIAL, NEUTRAL

TEXTS = NEUTRAL + EDITORIAL


def targets() -> np.ndarray:
    loaded = [0] * len(NEUTRAL) + [1] * len(EDITORIAL)
    doubt = [i % 3 == 0 for i in range(len(TEXTS))]
    return np.array([loaded, doubt], dtype=float).T  # [N, 2]


def test_terms_are_scikit_learns_unigrams_and_bigrams():
    from sklearn.feature_extraction.text import TfidfVectorizer

    text = "The Senator's so-called plan: a DISASTER, a disaster again (é 2024 x)!"
    analyzer = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    assert terms(text) == analyzer(text)


def test_the_lexicon_scores_as_scikit_learn_does(tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    lexicon = fitted_lexicon(TEXTS, targets(), "techniques.csv")
    unseen = ["A wholly new sentence about nothing known.", EDITORIAL[0] + " " + EDITORIAL[0], ""]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(TEXTS)
    expected = np.stack(
        [
            LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)
            .fit(vectorizer.transform(TEXTS), column)
            .decision_function(vectorizer.transform(TEXTS + unseen))
            for column in targets().T
        ],
        axis=1,
    )
    np.testing.assert_allclose(lexicon.logits(TEXTS + unseen), expected, atol=1e-4)
    lexicon.save(tmp_path)
    np.testing.assert_allclose(TechniqueLexicon.load(tmp_path, ["a", "b"]).logits(unseen), expected[-3:], atol=1e-4)
    with pytest.raises(FramingError, match="scores 2 techniques, but framing.json's technique head has 3"):
        TechniqueLexicon.load(tmp_path, ["a", "b", "c"])


def test_a_damaged_or_inconsistent_lexicon_is_a_clear_error(tmp_path):
    (tmp_path / LEXICON_FILE).write_bytes(b"PK\x03\x04 not a whole file")
    with pytest.raises(FramingError, match="technique_lexicon.npz: cannot read the technique lexicon"):
        TechniqueLexicon.load(tmp_path, ["a"])
    with pytest.raises(FramingError, match="2 terms, 2 idf values, weights \\(1, 3\\)"):
        TechniqueLexicon(["a", "b"], np.ones(2), np.ones((1, 3)), np.zeros(1))
    with pytest.raises(FramingError, match="techniques.csv: no word of the technique texts is in two of them"):
        fitted_lexicon(["alpha beta", "gamma delta"], np.array([[0.0], [1.0]]), "techniques.csv")


def test_a_technique_without_positives_in_train_gets_a_constant_not_a_crash():
    """With a dev fraction, every positive of a rare technique can land in dev."""
    columns = np.concatenate([targets(), np.zeros((len(TEXTS), 1))], axis=1)
    lexicon = fitted_lexicon(TEXTS, columns, "techniques.csv")
    logits = lexicon.logits(TEXTS)
    assert np.all(logits[:, 2] == -10.0) and logits[:, 0].std() > 0
