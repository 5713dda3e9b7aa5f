"""The one path from logits to what callers get: calibrated probabilities, then the shapes every
surface writes. `FramingClassifier.results` is a `Results` for its checkpoint; the CLI, the
HTTP service, article analysis, corpus scoring and evaluation all shape through it.

- `result`: the pipeline-style `{"label", "score"}` (or the `top_k` best) of one row;
- `record`: `label`, `score` and every label's probability in `scores` (what the CLI, the
  service and corpus scoring write); `table` the same as columns for CSV and Parquet;
- `decide`: label ids (or 0/1 per label) for metrics; `passing` the multi-label threshold step.

A checkpoint with a persuasion technique head adds its techniques to `record` and `table`
(framing.techniques.found); one without it leaves them out, so its outputs are as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from framing.techniques import TechniqueHead, found

if TYPE_CHECKING:
    import pandas as pd


def calibrated_probabilities(
    logits: np.ndarray, temperature: float, bias: Optional[Sequence[float]], multi_label: bool
) -> np.ndarray:
    """Probabilities [N, C] (float32) from logits [N, C]: softmax(logits / T + b), or a sigmoid
    per label for a multi-label checkpoint. numpy, not torch: on a few rows torch's thread pool
    costs milliseconds (analyze). Training measures its fits through this same function."""
    scaled = np.asarray(logits).astype(np.float64) / temperature  # [N, C]
    if bias:
        scaled += np.asarray(bias)  # [C], see training/calibration.py
    if multi_label:
        return (1.0 / (1.0 + np.exp(-scaled))).astype(np.float32)
    scaled -= scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)


@dataclass(frozen=True)
class Results:
    labels: list[str]
    multi_label: bool
    thresholds: np.ndarray  # [C], multi-label only
    techniques: Optional[TechniqueHead] = None  # the technique head, if the checkpoint has one

    def result(self, row: np.ndarray, top_k: Optional[int] = 1) -> Any:
        """The pipeline-style result of one probability row [C]: `{"label", "score"}`, or the
        `top_k` best (every label with None), best first; a multi-label checkpoint gives the
        labels passing their thresholds for top_k=1."""
        if self.multi_label and top_k == 1:
            return [{"label": self.labels[i], "score": float(row[i])} for i in self.passing(row[None])[0]]
        ranked = [{"label": self.labels[i], "score": float(row[i])} for i in np.argsort(-row, kind="stable")]
        if top_k == 1:
            return ranked[0]
        return ranked if top_k is None else ranked[:top_k]

    def passing(self, probabilities: np.ndarray) -> list[list[int]]:
        """Multi-label: for each row of [N, C], the label ids at or above their thresholds,
        best first (the one thresholding step behind result, record and table)."""
        order = np.argsort(-probabilities, axis=1, kind="stable")
        passes = probabilities >= self.thresholds
        return [[int(i) for i in row_order if row_passes[i]] for row_order, row_passes in zip(order, passes)]

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Predictions from probabilities [N, C]: label ids [N], or for a multi-label
        checkpoint 0/1 per label [N, C] (probability at or above the label's threshold)."""
        if self.multi_label:
            return (probabilities >= self.thresholds).astype(int)
        return probabilities.argmax(axis=1)

    def record(
        self, row: np.ndarray, technique_row: Optional[np.ndarray] = None, all_techniques: bool = False
    ) -> dict[str, Any]:
        """The output record of one probability row [C]: `label`, `score` and every label's
        probability in `scores`, in the checkpoint's label order (stable columns in tabular
        outputs); for a multi-label checkpoint, `labels` (those passing their thresholds, best
        first) and `scores`. With the row's technique probabilities [K], `techniques`: those
        found, best first (every technique with `all_techniques`)."""
        scores = {label: float(p) for label, p in zip(self.labels, row)}
        if self.multi_label:
            record = {"labels": [self.labels[i] for i in self.passing(row[None])[0]], "scores": scores}
        else:
            best = int(np.argmax(row))
            record = {"label": self.labels[best], "score": float(row[best]), "scores": scores}
        if technique_row is not None and self.techniques is not None:
            record["techniques"] = found(technique_row, self.techniques, keep_all=all_techniques)
        return record

    def records(
        self, probabilities: np.ndarray, techniques: Optional[np.ndarray] = None, all_techniques: bool = False
    ) -> list[dict[str, Any]]:
        """`record` of each row of probabilities [N, C], with its row of techniques [N, K] if given."""
        rows = techniques if techniques is not None else [None] * len(probabilities)
        return [self.record(row, technique_row, all_techniques) for row, technique_row in zip(probabilities, rows)]

    def table(self, probabilities: np.ndarray, techniques: Optional[np.ndarray] = None) -> "pd.DataFrame":
        """Tabular results straight from probabilities [N, C]: `label`, `score` and one
        `scores.<label>` column per label (multi-label: `labels`, the list of passing labels,
        best first, and the score columns), the columns CSV and Parquet outputs hold. With
        technique probabilities [N, K]: `techniques`, the list of those found, best first, and
        one `techniques.<technique>` probability column each."""
        import pandas as pd

        scores = {f"scores.{label}": probabilities[:, i].astype(float) for i, label in enumerate(self.labels)}
        if self.multi_label:
            table = pd.DataFrame({"labels": [[self.labels[i] for i in ids] for ids in self.passing(probabilities)]})
        else:
            best = probabilities.argmax(axis=1)
            table = pd.DataFrame(
                {
                    "label": np.asarray(self.labels, dtype=object)[best],
                    "score": probabilities[np.arange(len(best)), best].astype(float),
                }
            )
        table = table.assign(**scores)
        if techniques is None or self.techniques is None:
            return table
        head = self.techniques
        table["techniques"] = [[entry["technique"] for entry in found(row, head)] for row in techniques]
        return table.assign(
            **{f"techniques.{name}": techniques[:, i].astype(float) for i, name in enumerate(head.labels)}
        )
