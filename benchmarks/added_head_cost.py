"""What adding a head (e.g. `framing techniques`) changes in a checkpoint: its other outputs, which
must stay bit for bit, and its speed. Old and new are loaded in one process and timed in turn.

    python benchmarks/added_head_cost.py OLD_CHECKPOINT NEW_CHECKPOINT [--rounds 25]

Prints whether every BABE dev probability and marked word (at weight 0, so every word) is
identical, the `analyze` p50 of an 840-word article (the example opinion page eight times over)
and `predict_proba` sentences/s on its sentences, for each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a source checkout

from framing import FramingClassifier  # noqa: E402

DEV = REPO.parent / "shared" / "data" / "babe" / "babe_sg2_dev.csv"


def same_outputs(old: FramingClassifier, new: FramingClassifier, texts: list[str]) -> bool:
    before, before_words = old.predict_with_words(texts, min_weight=0.0)
    after, after_words = new.predict_with_words(texts, min_weight=0.0)
    return bool(np.array_equal(before, after)) and before_words == after_words


def timings(classifiers: dict[str, FramingClassifier], rounds: int) -> dict[str, tuple[float, float]]:
    """Per classifier: analyze p50 (s) of an 840-word article and predict_proba sentences/s."""
    first = next(iter(classifiers.values()))
    page = first.analyze((REPO / "examples" / "pages" / "opinion.html").read_text(encoding="utf-8"))["text"]
    article = " ".join([page] * 8)
    sentences = [s["text"] for s in first.analyze(article)["sentences"]] * 10
    seconds = {name: [] for name in classifiers}
    speed = {name: [] for name in classifiers}
    for _ in range(rounds):
        for name, classifier in classifiers.items():  # in turn, so that both see the same machine
            started = time.perf_counter()
            classifier.analyze(article)
            seconds[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            classifier.predict_proba(sentences)
            speed[name].append(len(sentences) / (time.perf_counter() - started))
    return {name: (float(np.median(seconds[name])), float(np.median(speed[name]))) for name in classifiers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    classifiers = {
        "old": FramingClassifier.from_pretrained(args.old),
        "new": FramingClassifier.from_pretrained(args.new),
    }
    texts = pd.read_csv(DEV)["text"].tolist()
    identical = same_outputs(*classifiers.values(), texts)
    print(f"{len(texts)} BABE dev sentences, probabilities and words identical: {identical}")
    for name, (p50, rate) in timings(classifiers, args.rounds).items():
        print(f"{name}: analyze of 840 words p50 {p50:.3f} s; predict_proba {rate:.0f} sentences/s")


if __name__ == "__main__":
    main()
