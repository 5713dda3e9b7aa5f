"""PNG plots for evaluation reports (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402


def confusion_matrix_png(path: Path, y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=list(range(len(labels))), display_labels=labels, ax=ax, colorbar=False, cmap="Blues"
    )
    ax.set_title("Confusion matrix")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reliability_png(path: Path, y_true: np.ndarray, proba: np.ndarray, bins: int = 10) -> None:
    """Accuracy against confidence of the top label, per confidence bin; the diagonal is perfect.
    Multi-label ([N, C] targets): each label's probability against how often the label holds."""
    if y_true.ndim == 2:
        confidence, correct = proba.ravel(), y_true.ravel().astype(bool)
    else:
        confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == y_true
    edges = np.linspace(0, 1, bins + 1)
    centres, accuracy, counts = [], [], []
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            centres.append(confidence[in_bin].mean())
            accuracy.append(correct[in_bin].mean())
            counts.append(in_bin.sum())
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(centres, accuracy, marker="o", label="model")
    for x, y, n in zip(centres, accuracy, counts):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.set_xlabel("confidence (top label probability)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_title("Reliability diagram")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def per_class_f1_png(path: Path, per_class: dict[str, dict], labels: list[str]) -> None:
    """Grouped bars: one group per label, one bar per system."""
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    width = 0.8 / len(per_class)
    positions = np.arange(len(labels))
    for offset, (system, classes) in enumerate(per_class.items()):
        ax.bar(positions + offset * width, [classes[label]["f1"] for label in labels], width, label=system)
    ax.set_xticks(positions + width * (len(per_class) - 1) / 2, labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_title("Per-class F1")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def pr_curves_png(path: Path, y_true: np.ndarray, probas: dict[str, np.ndarray], labels: list[str]) -> None:
    """Precision-recall curve of each label (one against the rest), per system."""
    from sklearn.metrics import precision_recall_curve

    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for system, proba in probas.items():
        for index, label in enumerate(labels):
            holds = y_true[:, index] == 1 if y_true.ndim == 2 else y_true == index  # multi-label or not
            precision, recall, _ = precision_recall_curve(holds, proba[:, index])
            ax.plot(recall, precision, label=f"{system}: {label}")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_title("Precision-recall")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
