"""`framing export`: build a checkpoint's ONNX back ends, measure each against fp32 on dev
data through the predictor, and record in framing.json the fastest one whose macro-F1 is
within `tolerance` of fp32 and that is batch-invariant (a text's probabilities do not move
with the other texts of the call by more than BATCH_INVARIANCE). The predictor then uses it
by default. The other back ends' ONNX files are removed from the folder unless kept: they
are derived from the weights, so a load that asks for one rebuilds it into the cache."""

from __future__ import annotations

import statistics
import time
from typing import Any, Optional

import numpy as np

from framing.checkpoint import CalibrationFit, locate_checkpoint, update_meta
from framing.errors import FramingError
from framing.onnx_build import export_onnx
from framing.predictor import FramingClassifier
from framing.runtime import ONNX_FILES, RUNTIMES
from framing.training.config_files import portable_path
from framing.training.evaluate import labelled_data, training_split
from framing.training.metrics import classification_metrics

BATCH_INVARIANCE = 1e-5  # largest change of a probability allowed from a text's batch company


def batch_company_change(classifier: FramingClassifier, texts: list[str], alone: int = 64) -> float:
    """Largest change of any probability between scoring the texts in one call, in reverse
    order, and (the first `alone` of them) one at a time."""
    together = classifier.predict_proba(texts)
    reverse = classifier.predict_proba(texts[::-1])[::-1]
    single = np.concatenate([classifier.predict_proba([text]) for text in texts[:alone]])
    return float(max(np.abs(reverse - together).max(), np.abs(single - together[:alone]).max()))


def sentences_per_second(classifier: FramingClassifier, texts: list[str], runs: int = 3) -> float:
    classifier.predict_proba(texts[:64])  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        classifier.predict_proba(texts)
        times.append(time.perf_counter() - started)
    return len(texts) / statistics.median(times)


def export_and_select(
    checkpoint: Optional[str], data: Optional[str] = None, tolerance: float = 0.01, keep_all: bool = False
) -> dict[str, Any]:
    folder = locate_checkpoint(checkpoint)
    reference = FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    data = data or training_split(reference, "dev")  # found by its recorded sha256, never another file
    if not data:
        raise FramingError("no dev data to measure the back ends on: pass --data FILE")
    gold_data = labelled_data(reference, data)
    texts, gold = gold_data.texts, gold_data.gold
    export_onnx(folder)
    measured = {}
    for name in RUNTIMES:
        classifier = reference if name == "torch-fp32" else FramingClassifier.from_pretrained(folder, runtime=name)
        proba = classifier.predict_proba(texts)
        measured[name] = {
            "dev_macro_f1": classification_metrics(gold, proba, reference.labels, 0, reference.thresholds)["macro_f1"],
            "sentences_per_second": round(sentences_per_second(classifier, texts), 1),
            "batch_company_change": batch_company_change(classifier, texts),
        }
    fp32 = measured["torch-fp32"]["dev_macro_f1"]
    eligible = [
        n
        for n in RUNTIMES
        if measured[n]["dev_macro_f1"] >= fp32 - tolerance and measured[n]["batch_company_change"] <= BATCH_INVARIANCE
    ] or ["torch-fp32"]
    chosen = max(eligible, key=lambda n: measured[n]["sentences_per_second"])
    update_meta(
        folder,
        {
            "runtime": {
                "name": chosen,
                "tolerance": tolerance,
                "batch_invariance": BATCH_INVARIANCE,
                "measured_on": portable_path(str(data)),
                "measured": measured,
            }
        },
    )
    removed = [] if keep_all else remove_unchosen(folder, chosen)
    return {
        "checkpoint": str(folder),
        "chosen": chosen,
        "measured": measured,
        "removed": removed,
        "stale_calibration": stale_calibration(reference.meta.calibration, chosen),
    }


def remove_unchosen(folder, chosen: str) -> list[str]:
    """Delete the ONNX files (and their stamps) of every back end but `chosen`, after the
    choice is recorded: a checkpoint is passed around, and the shipped one must fit its size
    budget (the three files are 190 MB for MiniLM-L6)."""
    removed = []
    for name, file in ONNX_FILES.items():
        for path in (folder / file, folder / f"{file}.sha256"):
            if name != chosen and path.exists():
                path.unlink()
                removed.append(path.name)
    return removed


def stale_calibration(fit: Optional[CalibrationFit], chosen: str) -> Optional[str]:
    """Why the calibration no longer matches the default back end, or None: `framing calibrate`
    fitted it on another back end's logits, and export does not refit it (a refit needs the
    labelled data that calibrate was given)."""
    if fit is None or fit.runtime == chosen:
        return None
    return (
        f"the calibration (and any word threshold refitted with it) was fitted through {fit.runtime}, and "
        f"the default back end is now {chosen}: run framing calibrate again"
    )
