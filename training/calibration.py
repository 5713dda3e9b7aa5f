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
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from framing.checkpoint import update_meta
from framing.errors import FramingError
from framing.predictor import FramingClassifier
from framing.results import calibrated_probabilities
from framing.training.config_files import DATA_ROOT_VARIABLE, expand_data_root, portable_path
from framing.training.evaluate import LabelledData, labelled_data, training_config_of, training_split
from framing.training.examples import word_truth
from framing.training.labels import fingerprint, word_lists
from framing.training.metrics import (
    THRESHOLD_GRID,
    best_thresholds,
    best_word_threshold,
    classification_metrics,
    resampled,
    word_metrics,
)
from framing.training.model_card import refresh_model_card


@dataclass
class Calibration:
    temperature: float
    bias: list[float]  # one per label; [] when no bias was fitted


UNCALIBRATED = Calibration(1.0, [])  # the model's own logits: the fixed reference of every fit


@dataclass
class CalibrationOutcome:
    """A fit and what it does on the rows it was fitted on (calibrate_logits)."""

    fit: Calibration
    thresholds: np.ndarray  # [C] decision thresholds of `calibrated` (multi-label: tuned under the fit)
    uncalibrated: dict  # classification_metrics at temperature 1, no bias
    calibrated: dict  # classification_metrics under the fit


# Rows of each label (and, multi-label, without it) a fit of T and one bias per label needs: with
# none the bias runs without bound, with one the fit can separate it perfectly and drive T to 0.
# Kept at 2 for training, so that the small dev splits of small example configs still calibrate
# (noisily, within the fit's bounds).
MIN_PER_LABEL = 2
# `framing calibrate` replaces a checkpoint's calibration with a fit on the user's sample, so it
# asks more: this many rows of every label per parameter its probabilities depend on (the
# temperature, and with the bias, softmax: the C - 1 free biases; sigmoid: the label's own).
# A floor, not a guarantee (logistic regression's rule of thumb is 10): the bootstrap interval
# recorded beside the fit says how far the sample pins it down.
ROWS_PER_PARAMETER = 4

# Bounds of the fit: at most 4x sharper than the model's own logits or 20x softer, a bias of at
# most 10 either way. A sample the model separates has no best temperature (the likelihood grows
# as T falls to 0): unbounded, a small sample made every later score 0.0 or 1.0.
TEMPERATURE_RANGE = (0.25, 20.0)
BIAS_BOUND = 10.0
# A weak Gaussian prior (standard deviations of log T around 0, and of each bias around 0), its
# log density added to the mean NLL as 1/N: it settles only what the sample cannot, and fades as
# the rows grow (2,000 rows move a fit by well under 1%).
PRIOR_SD_LOG_T, PRIOR_SD_BIAS = 1.0, 2.0
BOOTSTRAP_ROUNDS = 200


def parameters_per_label(num_labels: int, bias: bool, multi_label: bool) -> int:
    """Fitted parameters each label's probability depends on (see ROWS_PER_PARAMETER)."""
    if not bias:
        return 1
    return 2 if multi_label else num_labels


def require_fittable(
    labels: np.ndarray, names: Sequence[str], source: str, minimum: int = MIN_PER_LABEL, why: str = ""
) -> None:
    """Refuse, in one line naming `source`, calibration data that cannot fit a temperature and
    a bias per label: a label with fewer than `minimum` rows (one-class data drives the
    temperature down and the bias without bound, so every later score is 0 or 1). `why`: the
    reason for `minimum`, said in the message."""
    labels = np.asarray(labels)
    if labels.ndim == 2:  # multi-label [N, C] 0/1: each label needs rows with it and rows without it
        counts = {
            f"'{name}'": (int(labels[:, i].sum()), int(len(labels) - labels[:, i].sum()))
            for i, name in enumerate(names)
        }
        short = [
            f"{name} ({pos} with, {neg} without)" for name, (pos, neg) in counts.items() if min(pos, neg) < minimum
        ]
    else:
        counts = {f"'{name}'": int((labels == i).sum()) for i, name in enumerate(names)}
        short = [f"{name} ({count} rows)" for name, count in counts.items() if count < minimum]
    if short:
        raise FramingError(
            f"{source}: calibration needs at least {minimum} rows of every label{why}; too few for "
            f"{', '.join(short)} in {len(labels)} rows"
        )


def fit_calibration(logits: np.ndarray, labels: np.ndarray, bias: bool = True) -> Calibration:
    """Minimise the negative log-likelihood of `labels` ([N] ids) under softmax(logits / T + b)
    ([N, C] logits); for multi-label targets ([N, C] 0/1), under sigmoid(logits / T + b); with
    the weak prior and within the bounds above (L-BFGS-B keeps T and b inside them)."""
    from scipy.optimize import minimize

    logits = np.asarray(logits, dtype=np.float64)
    low, high = np.log(TEMPERATURE_RANGE)
    bounds = [(low, high)] + [(-BIAS_BOUND, BIAS_BOUND) if bias else (0.0, 0.0)] * logits.shape[1]
    found = minimize(
        _loss_and_gradient,
        np.zeros(1 + logits.shape[1]),
        args=(logits, np.asarray(labels)),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
    ).x
    temperature = float(np.exp(found[0]))
    if not bias:
        return Calibration(temperature, [])
    shift = found[1:] if np.ndim(labels) == 2 else found[1:] - found[1:].mean()  # softmax ignores a common shift
    return Calibration(temperature, [float(b) for b in shift])


def _loss_and_gradient(values: np.ndarray, logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean NLL plus the prior's share, and its gradient in [log T, b_1..b_C]: in numpy, as the
    bootstrap refits hundreds of times (torch's autograd costs ~100x more on a few rows)."""
    from scipy.special import log_softmax

    temperature, shift = np.exp(values[0]), values[1:]
    scaled = logits / temperature + shift  # [N, C]
    if labels.ndim == 2:  # sigmoid per label, mean over every cell (as binary_cross_entropy_with_logits)
        loss = float(np.mean(np.logaddexp(0.0, scaled) - labels * scaled))
        residual = (1.0 / (1.0 + np.exp(-scaled)) - labels) / scaled.size  # d loss / d scaled
    else:
        log_p = log_softmax(scaled, axis=1)
        rows = np.arange(len(labels))
        loss = float(-log_p[rows, labels].mean())
        residual = np.exp(log_p)
        residual[rows, labels] -= 1.0
        residual /= len(labels)
    count = max(len(labels), 1)
    loss += (values[0] ** 2 / (2 * PRIOR_SD_LOG_T**2) + (shift**2).sum() / (2 * PRIOR_SD_BIAS**2)) / count
    gradient = np.concatenate(
        [
            [-(residual * logits).sum() / temperature + values[0] / PRIOR_SD_LOG_T**2 / count],
            residual.sum(axis=0) + shift / PRIOR_SD_BIAS**2 / count,
        ]
    )
    return loss, gradient


def fit_uncertainty(logits: np.ndarray, labels: np.ndarray, bias: bool, rounds: int = BOOTSTRAP_ROUNDS) -> dict:
    """How far the rows pin the fit down: 95% percentile intervals of the temperature and of each
    bias over `rounds` bootstrap resamples of the rows, each refitted (metrics.resampled)."""
    logits, labels = np.asarray(logits), np.asarray(labels)

    def refit(rows: np.ndarray) -> np.ndarray:
        fit = fit_calibration(logits[rows], labels[rows], bias)
        return np.array([fit.temperature, *fit.bias])

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # L-BFGS-B's tiny BLAS calls: threads cost 20x more than they save
        fits = resampled(refit, len(labels), rounds)
    low, high = np.percentile(fits, [2.5, 97.5], axis=0)
    spread = {"resamples": rounds, "temperature_ci95": [float(low[0]), float(high[0])]}
    if bias:
        spread["logit_bias_ci95"] = [[float(a), float(b)] for a, b in zip(low[1:], high[1:])]
    return spread


def calibrate_logits(
    logits: np.ndarray,
    labels: np.ndarray,
    names: Sequence[str],
    multi_label: bool,
    bias: bool = True,
    thresholds: Optional[np.ndarray] = None,
    bootstrap_rounds: int = 1000,
    grid: np.ndarray = THRESHOLD_GRID,
    shared_threshold: bool = False,
) -> CalibrationOutcome:
    """The one calibration step of training (dev_fit.fit_to_dev) and of `framing calibrate`: fit
    the temperature (and, with `bias`, a bias per label) to `labels` on `logits` [N, C]; for
    multi-label, tune each label's threshold again on the calibrated probabilities (`thresholds`,
    [C], 0.5 where None: the ones in use before; `shared_threshold`: one for all); and measure
    both (macro-F1, ECE, ...; with a bootstrap interval of macro-F1 over `bootstrap_rounds`).
    Pure: arrays in, numbers out."""
    thresholds = np.full(len(names), 0.5) if thresholds is None else np.asarray(thresholds)
    fit = fit_calibration(logits, labels, bias)
    proba = calibrated_probabilities(logits, fit.temperature, fit.bias, multi_label)
    tuned = best_thresholds(labels, proba, grid, shared_threshold) if multi_label else thresholds
    raw = calibrated_probabilities(logits, UNCALIBRATED.temperature, UNCALIBRATED.bias, multi_label)
    return CalibrationOutcome(
        fit,
        tuned,
        classification_metrics(labels, raw, list(names), 0, thresholds),
        classification_metrics(labels, proba, list(names), bootstrap_rounds, tuned),
    )


def default_data(classifier: FramingClassifier) -> Optional[str]:
    """What `framing calibrate` refits on without --data: the checkpoint's training dev file,
    found by the sha256 training recorded (evaluate.training_split); where it is not found so,
    the file its calibration was last fitted on, when that was recorded from the data root
    (`${FRAMING_DATA}/...`) with its sha256 and the file there has it (another machine's data
    root); else training_split's error. None where training named no dev file."""
    try:
        return training_split(classifier, "dev")
    except FramingError:
        record = classifier.meta.calibration
        if not (record and record.sha256 and record.data.startswith(f"${{{DATA_ROOT_VARIABLE}}}/")):
            raise
        path = expand_data_root(record.data)
        if not (Path(path).is_file() and fingerprint(path) == record.sha256):
            raise
        return path


def calibrate_checkpoint(
    checkpoint: Optional[str],
    data: Optional[str] = None,
    text_column: Optional[str] = None,
    label_columns: Sequence[str] = (),
    bias: bool = True,
) -> dict:
    """Refit a checkpoint's calibration on labelled `data` (default: its training dev file and
    label column, see default_data) through its default back end and store it in framing.json
    (multi-label: each label's threshold tuned again); returns the record, which names the file
    from the data root (`${FRAMING_DATA}/...`). With several `label_columns` (two labellings
    of the same texts), the fit sees every column's labels at once: probabilities calibrated to
    their average, figures recorded per column, the first one's on top."""
    classifier = FramingClassifier.from_pretrained(checkpoint)
    trained = training_config_of(classifier)
    data = _given_data(data) if data else default_data(classifier)  # found by a recorded sha256, never another file
    if not data:
        raise FramingError("no labelled data to calibrate on: pass --data FILE")
    golds = [labelled_data(classifier, data, text_column, column) for column in (list(label_columns) or [None])]
    words_column = trained.data.words_column if trained else None
    logits, words = _logits_and_words(classifier, golds, words_column)
    every_logit, every_gold = np.concatenate(logits), np.concatenate([gold.gold for gold in golds])
    parameters = parameters_per_label(len(classifier.labels), bias, classifier.multi_label)
    require_fittable(
        every_gold,
        classifier.labels,
        data,
        ROWS_PER_PARAMETER * parameters,
        f" ({ROWS_PER_PARAMETER} per fitted parameter, {parameters} here"
        f"{'; --no-bias fits the temperature alone' if bias else ''})",
    )
    # multi-label thresholds were tuned on the old probabilities: tuned again on these
    outcome = calibrate_logits(
        every_logit,
        every_gold,
        classifier.labels,
        classifier.multi_label,
        bias,
        classifier.thresholds,
        bootstrap_rounds=0,
    )
    fitted = outcome.fit
    changes: dict = {"temperature": fitted.temperature, "logit_bias": fitted.bias}
    if classifier.multi_label:
        changes["thresholds"] = dict(zip(classifier.labels, outcome.thresholds.tolist()))
    word_fit = None if words is None else refit_word_threshold(classifier, golds[0], words, words_column, data)
    if word_fit is not None:
        changes["word_threshold"] = word_fit["after"]["threshold"]
    figures = _before_and_after(classifier, golds, logits, fitted, outcome.thresholds)
    record = _calibration_record(data, golds, figures, classifier.runtime.name, bias, word_fit)
    record["uncertainty"] = fit_uncertainty(every_logit, every_gold, bias)
    meta = update_meta(classifier.checkpoint_dir, {**changes, "calibration": record})
    refresh_model_card(classifier.checkpoint_dir, meta)
    return {
        "checkpoint": str(classifier.checkpoint_dir),
        "temperature": fitted.temperature,
        "logit_bias": fitted.bias,
        **record,
    }


def _logits_and_words(classifier, golds: list, words_column: Optional[str]) -> tuple[list, Optional[list]]:
    """Logits [N_k, C] per label column's labelled rows, and the words of the first column's rows
    where the data has the training words column and the model a trained word head."""
    with_words = bool(words_column) and words_column in golds[0].frame.columns and classifier.marks_words
    first, words = classifier.forward(golds[0].texts, with_words=with_words)
    return [first] + [classifier.logits(gold.texts) for gold in golds[1:]], words


def _before_and_after(classifier, golds: list, logits: list, fitted: Calibration, thresholds) -> dict:
    """Figures per label column under the stored calibration, none, and the new fit."""
    stored = Calibration(classifier.meta.temperature, list(classifier.meta.logit_bias))
    return {
        name: column_figures(golds, logits, fit, classifier, tuned)
        for name, fit, tuned in [
            ("before", stored, classifier.thresholds),
            ("uncalibrated", UNCALIBRATED, classifier.thresholds),
            ("after", fitted, thresholds),
        ]
    }


def _calibration_record(data, golds: list, figures: dict, runtime: str, bias: bool, word_fit: Optional[dict]) -> dict:
    """framing.json's `calibration`: the data (from the data root) and its sha256, and the figures
    before, uncalibrated and after, on top for the first label column and per column below."""
    record = {
        "data": portable_path(str(data)),
        "sha256": fingerprint(data),
        "label_column": golds[0].label_column,
        "n": len(golds[0].texts),
        "runtime": runtime,
        "bias": bias,
        **{name: by_column[0] for name, by_column in figures.items()},
    }
    if len(golds) > 1:
        record["label_columns"], record["by_label_column"] = [gold.label_column for gold in golds], {}
        for k, gold in enumerate(golds):
            record["by_label_column"][gold.label_column] = {
                "n": len(gold.texts),
                **{name: rows[k] for name, rows in figures.items()},
            }
    if word_fit is not None:
        record["words"] = word_fit
    return record


def _given_data(data: str) -> str:
    """--data as given, `${FRAMING_DATA}` in it expanded (a path copied from a calibration record)."""
    try:
        return expand_data_root(data)
    except ValueError as error:
        raise FramingError(f"--data {data!r}: {error}") from None


def column_figures(
    golds: list[LabelledData],
    logits: list[np.ndarray],
    fit: Calibration,
    classifier: FramingClassifier,
    thresholds: np.ndarray,
) -> list[dict[str, float]]:
    """Macro-F1 and ECE under calibration `fit` of each label column's rows (`golds[k]` scored
    as `logits[k]`)."""
    scored = [
        classification_metrics(
            gold.gold,
            calibrated_probabilities(x, fit.temperature, fit.bias, classifier.multi_label),
            classifier.labels,
            0,
            thresholds,
        )
        for gold, x in zip(golds, logits)
    ]
    return [{"macro_f1": m["macro_f1"], "ece": m["ece"]} for m in scored]


def refit_word_threshold(
    classifier: FramingClassifier, gold_data: LabelledData, words: list[list[dict]], column: str, source: str
) -> Optional[dict]:
    """The record of a word-threshold refit against `column`'s marked words on `gold_data`'s rows,
    from the back end's own word probabilities: word F1 at the stored threshold ("before") and at
    the one with the best F1 ("after"; the stored one stays unless another is strictly better);
    None when those rows mark no word (empty cells count as none marked, as in training)."""
    gold, weights = word_truth(gold_data.texts, word_lists(gold_data.frame, column, source), words)
    best = best_word_threshold(gold, weights, keep=classifier.word_threshold)
    if best is None:
        return None
    return {
        "column": column,
        "label_column": gold_data.label_column,
        "n": len(gold_data.texts),
        "before": word_metrics(gold, weights, classifier.word_threshold),
        "after": best,
    }
