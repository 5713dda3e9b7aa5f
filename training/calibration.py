"""Calibration: a scalar temperature T (Guo et al., 2017) and, optionally, one bias per label,
so that softmax(logits / T + b) (sigmoid, multi-label) is calibrated on held-out data.

The temperature alone never changes which label wins. The bias corrects a prior shift: a
model trained on one label column with soft targets from another (annotator votes, a
teacher) scores its logits a little off the labels it is judged on, and a bias moves the
decision boundary back (for two labels this is Platt scaling of the logit margin). It can
change the label of texts near the boundary.

`framing calibrate` refits both for an existing checkpoint on labelled data, through the
back end the checkpoint uses by default: the logits users get. Where the data marks words, it
refits the word threshold through that back end too: training tunes it on PyTorch fp32's word
probabilities, which int8 quantization moves (the shipped model's dev word F1 is 0.560 in fp32
and 0.550 through int8; its fp32 threshold, 0.35, stays the best on the grid through int8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch

from framing.checkpoint import update_meta
from framing.errors import FramingError
from framing.predictor import FramingClassifier
from framing.training.evaluate import LabelledData, labelled_data, training_config_of
from framing.training.examples import word_truth
from framing.training.labels import fingerprint, word_lists
from framing.training.metrics import best_thresholds, best_word_threshold, classification_metrics, word_metrics
from framing.training.model_card import refresh_model_card


@dataclass
class Calibration:
    temperature: float
    bias: list[float]  # one per label; [] when no bias was fitted


# Rows of each label (and, multi-label, without it) a fit of T and one bias per label needs: with
# none the bias runs without bound, with one the fit can separate it perfectly and drive T to 0.
# Kept at 2 so that the small dev splits of small example configs still calibrate (noisily).
MIN_PER_LABEL = 2


def require_fittable(labels: np.ndarray, names: Sequence[str], source: str) -> None:
    """Refuse, in one line naming `source`, calibration data that cannot fit a temperature and
    a bias per label: a label with fewer than MIN_PER_LABEL rows (one-class data drives the
    temperature to 0 and the bias without bound, so every later score is 0 or 1)."""
    labels = np.asarray(labels)
    if labels.ndim == 2:  # multi-label [N, C] 0/1: each label needs rows with it and rows without it
        counts = {f"'{name}'": (int(labels[:, i].sum()), int(len(labels) - labels[:, i].sum()))
                  for i, name in enumerate(names)}
        short = [f"{name} ({pos} with, {neg} without)" for name, (pos, neg) in counts.items()
                 if min(pos, neg) < MIN_PER_LABEL]
    else:
        counts = {f"'{name}'": int((labels == i).sum()) for i, name in enumerate(names)}
        short = [f"{name} ({count} rows)" for name, count in counts.items() if count < MIN_PER_LABEL]
    if short:
        raise FramingError(f"{source}: calibration needs at least {MIN_PER_LABEL} rows of every label; too few for "
                           f"{', '.join(short)} in {len(labels)} rows")


def fit_calibration(logits: np.ndarray, labels: np.ndarray, bias: bool = True) -> Calibration:
    """Minimise the negative log-likelihood of `labels` ([N] ids) under softmax(logits / T + b)
    ([N, C] logits); for multi-label targets ([N, C] 0/1), under sigmoid(logits / T + b)."""
    logits_t = torch.tensor(np.asarray(logits), dtype=torch.float64)
    multi_label = np.asarray(labels).ndim == 2
    labels_t = torch.tensor(np.asarray(labels), dtype=torch.float64 if multi_label else torch.long)
    nll = (torch.nn.functional.binary_cross_entropy_with_logits if multi_label
           else torch.nn.functional.cross_entropy)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)  # optimise log T so T > 0
    shift = torch.zeros(logits_t.shape[1], dtype=torch.float64, requires_grad=bias)  # [C]
    optimizer = torch.optim.LBFGS([log_t, shift] if bias else [log_t], lr=0.1, max_iter=200,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = nll(logits_t / log_t.exp() + shift, labels_t)
        loss.backward()
        return loss

    optimizer.step(closure)
    temperature = float(np.clip(log_t.exp().item(), 0.05, 20.0))
    if not bias:
        return Calibration(temperature, [])
    found = shift.detach().numpy()
    if not multi_label:
        found = found - found.mean()  # softmax ignores a common shift: store the centred one
    # A label without positives (or negatives) in `labels` drives its bias without bound: keep it finite.
    found = np.clip(found, -10.0, 10.0)
    return Calibration(temperature, [float(b) for b in found])


def calibrated(classifier: FramingClassifier, logits: np.ndarray, fit: Calibration) -> np.ndarray:
    """Probabilities [N, C] from logits through the predictor's own step, with calibration `fit`
    in place of the stored one (which is left as it was)."""
    meta = classifier.meta
    kept = meta.temperature, meta.logit_bias
    meta.temperature, meta.logit_bias = fit.temperature, fit.bias
    try:
        return classifier._calibrate(logits)
    finally:
        meta.temperature, meta.logit_bias = kept


def calibrate_checkpoint(checkpoint: Optional[str], data: Optional[str] = None, text_column: Optional[str] = None,
                         label_columns: Sequence[str] = (), bias: bool = True) -> dict:
    """Refit a checkpoint's calibration on labelled `data` (default: its training dev file and
    label column) through its default back end, and store it in framing.json (multi-label: with
    each label's threshold tuned again on the same data); returns the record.

    With several `label_columns` (two labellings of the same texts, e.g. BABE's original and
    reviewed labels), the fit sees every column's labels at once, so the probabilities are
    calibrated to their average; figures are recorded per column, the first one's on top."""
    classifier = FramingClassifier.from_pretrained(checkpoint)
    trained = training_config_of(classifier)
    data = data or (trained.data.dev if trained else None)
    if not data:
        raise FramingError("no labelled data to calibrate on: pass --data FILE")
    golds = [labelled_data(classifier, data, text_column, column) for column in (list(label_columns) or [None])]
    words_column = trained.data.words_column if trained else None
    with_words = bool(words_column) and words_column in golds[0].frame.columns
    first, words = classifier.forward(golds[0].texts, with_words=with_words)  # the words of the first column's rows
    logits = [first] + [classifier.logits(gold.texts) for gold in golds[1:]]  # [N_k, C] per column's labelled rows

    def figures(fit: Calibration) -> list[dict[str, float]]:
        scored = [classification_metrics(g.gold, calibrated(classifier, x, fit), classifier.labels, 0,
                                         classifier.thresholds) for g, x in zip(golds, logits)]
        return [{"macro_f1": m["macro_f1"], "ece": m["ece"]} for m in scored]

    stored = Calibration(classifier.meta.temperature, list(classifier.meta.logit_bias))
    before, raw = figures(stored), figures(Calibration(1.0, []))  # raw: temperature 1, no bias
    every_logit, every_gold = np.concatenate(logits), np.concatenate([gold.gold for gold in golds])
    require_fittable(every_gold, classifier.labels, data)
    fitted = fit_calibration(every_logit, every_gold, bias)
    classifier.meta.temperature, classifier.meta.logit_bias = fitted.temperature, fitted.bias
    changes: dict = {"temperature": fitted.temperature, "logit_bias": fitted.bias}
    if classifier.multi_label:  # thresholds tuned on the old probabilities: tune them again on these
        thresholds = best_thresholds(every_gold, classifier._calibrate(every_logit))
        changes["thresholds"] = classifier.meta.thresholds = dict(zip(classifier.labels, thresholds.tolist()))
    word_fit = None if words is None else refit_word_threshold(classifier, golds[0], words, words_column, data)
    if word_fit is not None:
        changes["word_threshold"] = word_fit["after"]["threshold"]
    after = figures(fitted)
    columns = [gold.label_column for gold in golds]
    record = {"data": str(data), "sha256": fingerprint(data), "label_column": columns[0], "n": len(golds[0].texts),
              "runtime": classifier.runtime.name, "bias": bias,
              "before": before[0], "uncalibrated": raw[0], "after": after[0]}
    if len(columns) > 1:
        record["label_columns"] = columns
        record["by_label_column"] = {column: {"n": len(gold.texts), "before": b, "uncalibrated": u, "after": a}
                                     for column, gold, b, u, a in zip(columns, golds, before, raw, after)}
    if word_fit is not None:
        record["words"] = word_fit
    meta = update_meta(classifier.checkpoint_dir, {**changes, "calibration": record})
    refresh_model_card(classifier.checkpoint_dir, meta)
    return {"checkpoint": str(classifier.checkpoint_dir), "temperature": fitted.temperature, "logit_bias": fitted.bias,
            **record}


def refit_word_threshold(classifier: FramingClassifier, gold_data: LabelledData, words: list[list[dict]],
                         column: str, source: str) -> Optional[dict]:
    """The record of a word-threshold refit against `column`'s marked words on `gold_data`'s rows,
    from the back end's own word probabilities: word F1 at the stored threshold ("before") and at
    the one with the best F1 ("after"; the stored one stays unless another is strictly better);
    None when those rows mark no word (empty cells count as none marked, as in training)."""
    gold, weights = word_truth(gold_data.texts, word_lists(gold_data.frame, column, source), words)
    best = best_word_threshold(gold, weights, keep=classifier.word_threshold)
    if best is None:
        return None
    return {"column": column, "label_column": gold_data.label_column, "n": len(gold_data.texts),
            "before": word_metrics(gold, weights, classifier.word_threshold), "after": best}
