"""Inference back ends side by side on BABE dev sentences, in one run.

    python benchmarks/throughput.py [--checkpoint DIR] [--runs 5] [--output results]

Each back end runs in a fresh child process (so peak RSS is its own) on the same sentences:
- the `transformers.pipeline("text-classification")` baseline at its defaults (batch size 1),
  on the framing checkpoint and on randomly initialised DistilBERT-base and RoBERTa-base of
  standard shape (what other bias classifiers ship);
- the framing predictor with each of its back ends (torch-fp32, onnx-fp32, onnx-int8, onnx-int8-full).
For each: sentences/s (median of --runs passes over the dev set), speed-up against the
pipeline on the same checkpoint, p50/p95 latency of one-sentence requests, `analyze` p50/p95
on an 800-word article, peak RSS, dev macro-F1 with its difference from torch-fp32, and the
largest change of any dev probability between scoring every sentence alone, in the whole
list and in the reversed list (batch invariance).
Writes results.md and results.json under --output (default: benchmarks/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "babe" / "babe_sg2_dev.csv"
BACKENDS = [
    "pipeline",
    "pipeline-distilbert-base",
    "pipeline-roberta-base",
    "torch-fp32",
    "onnx-fp32",
    "onnx-int8",
    "onnx-int8-full",
]


def load_dev() -> tuple[list[str], list[int]]:
    import pandas as pd

    frame = pd.read_csv(DEV)
    return frame["text"].tolist(), (frame["label_bias"] == "Biased").astype(int).tolist()


def _latency_module():
    """benchmarks/latency.py, loaded by path ("benchmarks" may name another installed package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("framing_latency", Path(__file__).resolve().parent / "latency.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pipeline_for(backend: str, checkpoint: Path):
    """The transformers pipeline on the checkpoint, or on a random model of standard shape."""
    import torch
    from transformers import (
        AutoTokenizer,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        RobertaConfig,
        RobertaForSequenceClassification,
        pipeline,
    )

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    if backend == "pipeline":
        return pipeline("text-classification", model=str(checkpoint), tokenizer=tokenizer, device="cpu")
    torch.manual_seed(0)
    if backend == "pipeline-distilbert-base":
        model = DistilBertForSequenceClassification(DistilBertConfig(num_labels=2))  # 6 layers, 768 wide
    else:  # RoBERTa-base: 12 layers, 768 wide; our tokenizer's ids are all within its vocabulary
        model = RobertaForSequenceClassification(
            RobertaConfig(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1, num_labels=2)
        )
    return pipeline("text-classification", model=model.eval(), tokenizer=tokenizer, device="cpu")


def worker(backend: str, checkpoint: Path, runs: int) -> dict:
    """Measure one back end in this process; print its figures as JSON."""
    from sklearn.metrics import f1_score

    make_article = _latency_module().make_article

    texts, gold = load_dev()
    result: dict = {"backend": backend}
    if backend.startswith("pipeline"):
        classify = pipeline_for(backend, checkpoint)
        run_all = lambda: classify(texts)  # noqa: E731  (default batch size: 1)
        run_one = lambda text: classify(text)  # noqa: E731
        if backend == "pipeline":
            labels = [classify.model.config.label2id[r["label"]] for r in classify(texts)]
            result["dev_macro_f1"] = f1_score(gold, labels, average="macro")
    else:
        from framing import FramingClassifier

        classifier = FramingClassifier.from_pretrained(checkpoint, runtime=backend)
        run_all = lambda: classifier.predict_proba(texts)  # noqa: E731
        run_one = lambda text: classifier(text)  # noqa: E731
        result["dev_macro_f1"] = f1_score(gold, classifier.predict_proba(texts).argmax(1), average="macro")
        from framing.training.backend_choice import batch_company_change

        result["batch_company_change"] = batch_company_change(classifier, texts, alone=len(texts))
        article = make_article(800)
        classifier.analyze(article)
        analyze = timed(lambda: classifier.analyze(article), 20)
        result["analyze_p50_ms"], result["analyze_p95_ms"] = (
            percentile(analyze, 0.5) * 1e3,
            percentile(analyze, 0.95) * 1e3,
        )
    run_one(texts[0])  # warm up
    passes = timed(run_all, runs)
    result["sentences_per_second"] = len(texts) / statistics.median(passes)
    single = []
    for text in texts[:100]:
        single += timed(lambda: run_one(text), 1)
    result["p50_ms"], result["p95_ms"] = percentile(single, 0.5) * 1e3, percentile(single, 0.95) * 1e3
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["sentences"] = len(texts)
    return result


def render(rows: list[dict]) -> str:
    lines = [
        "| back end | sentences/s | speed-up vs pipeline | p50 ms | p95 ms | analyze p50 ms | analyze p95 ms | "
        "peak RSS MB | dev macro-F1 | Δ vs torch-fp32 | largest batch-company change |",
        "|" + " --- |" * 11,
    ]
    for r in rows:

        def cell(key, fmt):
            return format(r[key], fmt) if r.get(key) is not None else "–"

        lines.append(
            f"| {r['backend']} | {cell('sentences_per_second', '.0f')} | {cell('speedup', '.2f')}× | "
            f"{cell('p50_ms', '.1f')} | {cell('p95_ms', '.1f')} | {cell('analyze_p50_ms', '.1f')} | "
            f"{cell('analyze_p95_ms', '.1f')} | {cell('peak_rss_mb', '.0f')} | {cell('dev_macro_f1', '.4f')} | "
            f"{cell('f1_delta', '+.4f')} | {cell('batch_company_change', '.1e')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", nargs="*", default=BACKENDS, choices=BACKENDS)
    parser.add_argument("--output", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    from framing.checkpoint import locate_checkpoint

    checkpoint = locate_checkpoint(args.checkpoint)
    if args.worker:
        print(json.dumps(worker(args.worker, checkpoint, args.runs)))
        return
    rows = []
    for backend in args.backends:
        command = [
            sys.executable,
            __file__,
            "--worker",
            backend,
            "--checkpoint",
            str(checkpoint),
            "--runs",
            str(args.runs),
        ]
        done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0:
            raise SystemExit(f"{backend} failed:\n{done.stderr[-3000:]}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{backend}: {rows[-1]['sentences_per_second']:.0f} sentences/s", file=sys.stderr)
    by_name = {r["backend"]: r for r in rows}
    for r in rows:
        if "pipeline" in by_name:
            r["speedup"] = r["sentences_per_second"] / by_name["pipeline"]["sentences_per_second"]
        if "torch-fp32" in by_name and r.get("dev_macro_f1") is not None:
            r["f1_delta"] = r["dev_macro_f1"] - by_name["torch-fp32"]["dev_macro_f1"]
    table = render(rows)
    print(table)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.md").write_text(
        f"Checkpoint `{checkpoint}`, {rows[0]['sentences']} BABE dev sentences, {os.cpu_count()} CPUs.\n\n{table}\n"
    )
    (output / "results.json").write_text(json.dumps({"checkpoint": str(checkpoint), "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
