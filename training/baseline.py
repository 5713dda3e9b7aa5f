"""The TF-IDF + logistic regression baseline that every model is reported beside."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline


def tfidf_baseline(seed: int = 0, multi_label: bool = False) -> Pipeline:
    """Word uni- and bi-grams with sublinear term frequency; balanced classes. Multi-label:
    one such classifier per label (fit on [N, C] 0/1 targets)."""
    classifier = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced", random_state=seed)
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True),
        OneVsRestClassifier(classifier) if multi_label else classifier,
    )


def baseline_proba(baseline: Pipeline, texts: list[str], num_labels: int) -> np.ndarray:
    """[N, C] probabilities placed by label id (a single-label fit only knows the classes it saw)."""
    raw = baseline.predict_proba(texts)
    if raw.shape[1] == num_labels:
        return raw
    proba = np.zeros((len(texts), num_labels))
    proba[:, baseline.classes_] = raw
    return proba
