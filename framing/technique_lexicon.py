"""The lexical half of a technique head: TF-IDF word and word-pair features and one logistic
regression per technique, whose logits the predictor mixes with the encoder head's
(framing.techniques.TechniqueHead.lexical_weight).

Why both: the encoder's pooled states rank a passage's tone well but blur the rarer techniques,
whose cue phrases ("our nation", "experts say", "so-called") a bag of word pairs catches; on
SemEval dev the two together beat either alone. Training fits it with scikit-learn's
TfidfVectorizer and LogisticRegression (framing.training.technique_head); scoring is written out
here in numpy because the light install has neither scikit-learn nor scipy. It reproduces their
arithmetic (tests/test_technique_lexicon.py checks it against them): lowercase tokens of two or
more word characters, unigrams and bigrams, 1 + log of each count, times the term's idf, the
vector scaled to unit length, then each technique's weights and intercept.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import numpy as np

from framing.errors import FramingError
from framing.output import atomic_file

LEXICON_FILE = "technique_lexicon.npz"
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def terms(text: str) -> list[str]:
    """A text's unigrams and bigrams, as scikit-learn's TfidfVectorizer(ngram_range=(1, 2)) makes them."""
    tokens = TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


class TechniqueLexicon:
    """vocabulary [V] terms, idf [V], weights [K, V] and intercept [K]: logits(texts) -> [N, K]."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, weights: np.ndarray, intercept: np.ndarray):
        if not (len(vocabulary) == len(idf) == weights.shape[1]) or weights.shape[0] != len(intercept):
            raise FramingError(
                f"technique lexicon: {len(vocabulary)} terms, {len(idf)} idf values, weights "
                f"{tuple(weights.shape)} and {len(intercept)} intercepts do not agree"
            )
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, np.float32)
        self.weights = np.asarray(weights, np.float32)
        self.intercept = np.asarray(intercept, np.float32)

    def logits(self, texts: list[str]) -> np.ndarray:
        out = np.tile(self.intercept, (len(texts), 1))  # [N, K]
        for row, text in enumerate(texts):
            ids, counts = np.unique([self.index[t] for t in terms(text) if t in self.index], return_counts=True)
            if len(ids) == 0:
                continue  # no known term: the intercepts alone, as scikit-learn gives for a zero vector
            values = (1.0 + np.log(counts)) * self.idf[ids]  # sublinear tf times idf, [n]
            out[row] += self.weights[:, ids] @ (values / np.linalg.norm(values))
        return out

    def digest(self) -> str:
        """sha256 of what it scores with: its arrays, not the file's bytes (np.savez_compressed
        stamps each entry with the time it was written, so saving the same lexicon again differs)."""
        content = hashlib.sha256("\n".join(self.index).encode("utf-8"))
        for array in (self.idf, self.weights, self.intercept):
            content.update(np.ascontiguousarray(array).tobytes())
        return content.hexdigest()

    def save(self, folder: Path) -> None:
        with atomic_file(folder / LEXICON_FILE) as staging, open(staging, "wb") as handle:
            np.savez_compressed(
                handle,
                vocabulary=np.array(list(self.index), dtype=str),
                idf=self.idf,
                weights=self.weights,
                intercept=self.intercept,
            )

    @classmethod
    def load(cls, folder: Path, labels: list[str]) -> "TechniqueLexicon":
        """The folder's lexicon, refused unless it scores exactly the head's `labels`."""
        path = Path(folder) / LEXICON_FILE
        try:
            with np.load(path, allow_pickle=False) as arrays:  # plain arrays only, never pickled objects
                lexicon = cls(arrays["vocabulary"].tolist(), arrays["idf"], arrays["weights"], arrays["intercept"])
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:  # missing, torn or foreign
            raise FramingError(f"{path}: cannot read the technique lexicon ({type(error).__name__}: {error})") from None
        if len(lexicon.intercept) != len(labels):
            raise FramingError(
                f"{path}: scores {len(lexicon.intercept)} techniques, but framing.json's technique head has "
                f"{len(labels)}; it belongs to another head: run `framing techniques` again"
            )
        return lexicon
