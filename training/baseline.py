"""The TF-IDF + logistic regression baseline that every model is reported beside."""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline


def tfidf_baseline(seed: int = 0) -> Pipeline:
    """Word uni- and bi-grams with sublinear term frequency; balanced classes."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True),
        LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced", random_state=seed),
    )
