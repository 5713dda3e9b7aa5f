"""K-fold cross-validation of a training config against the TF-IDF baseline on the same folds.

    python benchmarks/crossval.py --config configs/babe.yaml --folds 5

Pools the config's train and dev data, splits it into stratified folds (fixed seed), and for
each fold trains the config's recipe on the other folds and scores the held-out one through
the predictor. Where the recipe selects its epoch on dev (`train.select: best`), a stratified
10% of the training folds serves as that dev set, so the held-out fold is never looked at.
Prints per-fold and mean ± sd macro-F1 and writes the figures as JSON with --output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from framing.base_model import resolve_base_model  # noqa: E402
from framing.config import load_config  # noqa: E402
from framing.data import load_table  # noqa: E402
from framing.predictor import FramingClassifier  # noqa: E402
from training.baseline import tfidf_baseline  # noqa: E402
from training.examples import build_examples  # noqa: E402
from training.metrics import classification_metrics  # noqa: E402
from training.train import fit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seed of the fold split")
    parser.add_argument("--only-folds", type=int, nargs="*", help="run just these fold numbers (1-based)")
    parser.add_argument("--output", help="write per-fold results as JSON here")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    config = load_config(args.config, args.overrides)
    data = config.data
    sources = [data.train] + ([data.dev] if data.dev else [])
    frame = pd.concat([load_table(s) for s in sources], ignore_index=True)
    base_path = resolve_base_model(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    examples = build_examples(frame, " + ".join(sources), data, tokenizer, config.model.max_length)
    labels = data.label_names
    meta = {"labels": labels, "max_length": config.model.max_length}
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(examples.texts, examples.labels)
    results = []
    for number, (train_idx, test_idx) in enumerate(folds, start=1):
        if args.only_folds and number not in args.only_folds:
            continue
        started = time.perf_counter()
        dev = None
        if config.train.select == "best" and config.train.average_last == 1:
            train_idx, dev_idx = train_test_split(train_idx, test_size=0.1, random_state=args.seed,
                                                  stratify=examples.labels[train_idx])
            dev = examples.subset(dev_idx)
        test = examples.subset(test_idx)
        model, _ = fit(config, examples.subset(train_idx), dev, base_path, tokenizer, progress=False)
        proba = FramingClassifier(model, tokenizer, meta).predict_proba(test.texts)
        model_f1 = classification_metrics(test.labels, proba, labels, 0)["macro_f1"]
        baseline = tfidf_baseline(args.seed).fit([examples.texts[i] for i in train_idx], examples.labels[train_idx])
        baseline_f1 = classification_metrics(test.labels, baseline.predict_proba(test.texts), labels, 0)["macro_f1"]
        results.append({"fold": number, "model_macro_f1": model_f1, "baseline_macro_f1": baseline_f1,
                         "n_train": len(train_idx), "n_test": len(test_idx),
                         "seconds": round(time.perf_counter() - started, 1)})
        print(json.dumps(results[-1]), flush=True)
    for key, name in [("model_macro_f1", "model"), ("baseline_macro_f1", "TF-IDF + LR")]:
        scores = np.array([r[key] for r in results])
        print(f"{name:12s} macro-F1 {scores.mean():.4f} ± {scores.std(ddof=1) if len(scores) > 1 else 0:.4f} "
              f"(folds: {', '.join(f'{s:.4f}' for s in scores)})")
    if args.output:
        Path(args.output).write_text(json.dumps({"config": args.config, "overrides": args.overrides,
                                                 "folds": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
