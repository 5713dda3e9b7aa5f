"""After training: the calibration, thresholds and word threshold fitted on dev, and the dev
reports on other label columns and per group."""

from __future__ import annotations

import pandas as pd

from framing.data import require_columns, texts_of
from framing.errors import FramingError
from framing.predictor import FramingClassifier
from framing.training.calibration import calibrate_logits
from framing.training.config import Config
from framing.training.examples import Examples, word_truth
from framing.training.labels import UNLABELLED, load_table, targets_of, without_labels
from framing.training.metrics import best_word_threshold, classification_metrics, group_metrics


def fit_to_dev(classifier: FramingClassifier, dev: Examples, bias: bool = True) -> dict:
    """From one pass over dev: fit the calibration (temperature and, with `bias`, a bias per
    label; multi-label, each label's threshold too) and, where dev has marked words, the word
    threshold, storing them in the classifier's meta; returns dev metrics measured through the
    calibrated classifier."""
    labels, meta = classifier.labels, classifier.meta
    logits, words = classifier.forward(dev.texts, with_words=dev.marked is not None)
    outcome = calibrate_logits(logits, dev.labels, labels, classifier.multi_label, bias, classifier.thresholds)
    meta.temperature, meta.logit_bias = outcome.fit.temperature, outcome.fit.bias
    if classifier.multi_label:
        meta.thresholds = dict(zip(labels, outcome.thresholds.tolist()))
    metrics = outcome.calibrated
    metrics["ece_before_calibration"] = outcome.uncalibrated["ece"]
    fit = best_word_threshold(*word_truth(dev.texts, dev.marked, words)) if words is not None else None
    if fit is not None:  # None: dev marks no word, so the threshold stays as it is
        metrics["words"] = fit
        meta.word_threshold = fit["threshold"]
    return metrics


def dev_reports(classifier: FramingClassifier, config: Config) -> dict[str, dict]:
    """Calibrated dev metrics against each of `data.report_label_columns` (and the training label
    column, for one table), each on the dev rows that column labels: `dev_by_label_column`; with
    `data.group_column`, the same within each group (e.g. outlet leaning): `dev_by_group`."""
    data_config = config.data
    if not data_config.dev:
        raise FramingError("data.report_label_columns and data.group_column need a data.dev file to measure on")
    table = load_table(data_config.dev, "validation")
    if data_config.group_column:
        require_columns(table, [data_config.group_column], data_config.dev)
    columns = [data_config.label_column, *data_config.report_label_columns]
    frames = {
        column: without_labels(table, column, [UNLABELLED, *data_config.drop_labels], data_config.dev)
        for column in columns
    }
    scored = table.loc[table.index.isin(pd.concat(list(frames.values())).index)]  # one pass: rows any column labels
    proba = classifier.predict_proba(texts_of(scored, data_config.text_column, data_config.dev))
    reports: dict[str, dict] = {"dev_by_label_column": {}}
    for column, frame in frames.items():
        gold = targets_of(frame, column, data_config.labels, data_config.label_names, data_config.dev)
        rows = proba[scored.index.get_indexer(frame.index)]
        if data_config.report_label_columns:
            reports["dev_by_label_column"][column] = classification_metrics(gold, rows, classifier.labels)
        if data_config.group_column:
            reports.setdefault("dev_by_group", {})[column] = {
                "column": data_config.group_column,
                **group_metrics(
                    gold, rows, frame[data_config.group_column].tolist(), classifier.labels, classifier.flag_label
                ),
            }
    return {name: report for name, report in reports.items() if report}
