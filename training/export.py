"""`framing export`: build a checkpoint's ONNX back ends, measure each against fp32 on dev
data through the predictor, and record in framing.json the fastest one whose macro-F1 is
within `tolerance` of fp32. The predictor then uses it by default."""

from __future__ import annotations

import statistics
import time
from typing import Any, Optional


from framing.checkpoint import update_meta
from framing.errors import FramingError
from framing.export import export_onnx
from framing.predictor import FramingClassifier, locate_checkpoint
from framing.runtime import RUNTIMES
from training.evaluate import labelled_data, training_config_of
from training.metrics import classification_metrics


def sentences_per_second(classifier: FramingClassifier, texts: list[str], runs: int = 3) -> float:
    classifier.predict_proba(texts[:64])  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        classifier.predict_proba(texts)
        times.append(time.perf_counter() - started)
    return len(texts) / statistics.median(times)


def export_and_select(checkpoint: Optional[str], data: Optional[str] = None, tolerance: float = 0.01) -> dict[str, Any]:
    folder = locate_checkpoint(checkpoint)
    reference = FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    trained = training_config_of(reference)
    data = data or (trained.data.dev if trained else None)
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
            "dev_macro_f1": classification_metrics(gold, proba, reference.labels, 0,
                                                   reference.thresholds)["macro_f1"],
            "sentences_per_second": round(sentences_per_second(classifier, texts), 1),
        }
    fp32 = measured["torch-fp32"]["dev_macro_f1"]
    eligible = [n for n in RUNTIMES if measured[n]["dev_macro_f1"] >= fp32 - tolerance]
    chosen = max(eligible, key=lambda n: measured[n]["sentences_per_second"])
    update_meta(folder, {"runtime": {"name": chosen, "tolerance": tolerance, "measured_on": str(data),
                                     "measured": measured}})
    return {"checkpoint": str(folder), "chosen": chosen, "measured": measured}
