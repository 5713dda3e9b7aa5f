"""Latency of article analysis: in-process `analyze` and `POST /v1/analyze` over loopback HTTP.

    python benchmarks/latency.py [--checkpoint DIR] [--runs 50] [--words 800]

The article is made of consecutive BABE dev sentences (from ../shared/data/babe) up to
--words words. Prints p50/p95/mean in milliseconds after a few warm-up calls.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "babe" / "babe_sg2_dev.csv"


def make_article(words: int) -> str:
    import pandas as pd

    sentences, count = [], 0
    for text in pd.read_csv(DEV)["text"]:
        sentences.append(text.strip())
        count += len(text.split())
        if count >= words:
            break
    # paragraphs of four sentences, as in a news article
    return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def timings(function, runs: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[int(0.95 * (len(samples) - 1))],
        "mean_ms": statistics.fmean(samples),
    }


def serve_in_thread(app):
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--words", type=int, default=800)
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import httpx

    from framing import FramingClassifier
    from framing.runtime import physical_cores
    from framing.server import create_app

    classifier = FramingClassifier.from_pretrained(args.checkpoint)
    article = make_article(args.words)
    analysis = classifier.analyze(article)
    print(
        f"article: {len(article.split())} words, {analysis['summary']['sentences']} sentences; "
        f"back end {classifier.runtime.name}; physical cores used: {physical_cores()}"
    )
    rows = {"analyze (in-process)": timings(lambda: classifier.analyze(article), args.runs)}
    server, url = serve_in_thread(create_app(classifier))
    with httpx.Client(base_url=url, timeout=60) as client:

        def post():
            response = client.post("/v1/analyze", json={"text": article})
            response.raise_for_status()

        rows["POST /v1/analyze (HTTP, loopback)"] = timings(post, args.runs)
    server.should_exit = True
    print(f"{'what':38s} {'p50 ms':>8s} {'p95 ms':>8s} {'mean ms':>8s}")
    for name, row in rows.items():
        print(f"{name:38s} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['mean_ms']:8.1f}")


if __name__ == "__main__":
    main()
