"""Memory and throughput of corpus scoring as the corpus grows, and Ray actors against one process.

    python benchmarks/corpus_scoring.py [--rows 10000 100000] [--ray-rows 10000 100000] [--output benchmarks/results]

Builds Parquet corpora of BABE sentences (train and dev, repeated and shuffled with a fixed
seed) and runs `framing predict --input corpus.parquet --output scored.parquet` on each in a
child process, with the shipped checkpoint and its default back end. For each run: rows/s
over the whole command (loading included), and peak RSS of the child. Flat memory means
the peak RSS does not grow with the row count. With --ray-rows, the same job also runs with
`--engine ray` (a local Ray instance; --workers actors of one thread each) for comparison; the
driver's peak RSS must stay flat there too (it reads ahead a bounded number of batches).
Writes corpus_scoring.md and corpus_scoring.json under --output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
BABE = REPO.parent / "shared" / "data" / "babe"


def build_corpus(rows: int, path: Path) -> None:
    sentences = pd.concat([pd.read_csv(BABE / f) for f in ("babe_sg2_train.csv", "babe_sg2_dev.csv")])["text"]
    repeated = sentences.sample(n=rows, replace=True, random_state=0).reset_index(drop=True)
    pd.DataFrame({"doc_id": range(rows), "text": repeated}).to_parquet(path, row_group_size=10_000)


def peak_rss_of(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MiB) of a child process, and its standard error."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: run the command with stderr to a file
        err = os.open(
            os.path.join(tempfile.gettempdir(), f"corpus-bench-{os.getpid()}.err"),
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
        )
        os.dup2(err, 2)
        os.execvpe(command[0], command, {**os.environ, "HF_HUB_OFFLINE": "1"})
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    log = Path(tempfile.gettempdir()) / f"corpus-bench-{pid}.err"
    stderr = log.read_text(errors="replace") if log.exists() else ""
    log.unlink(missing_ok=True)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stderr  # ru_maxrss is in KiB on Linux


def run(rows: int, engine: str, workers: int, folder: Path) -> dict:
    corpus, scored = folder / f"corpus-{rows}.parquet", folder / f"scored-{rows}-{engine}.parquet"
    if not corpus.exists():
        build_corpus(rows, corpus)
    command = [
        sys.executable,
        "-m",
        "framing.cli",
        "predict",
        "--input",
        str(corpus),
        "--output",
        str(scored),
        "--keep-columns",
        "doc_id",
        "--no-progress",
        "--overwrite",
        "--engine",
        engine,
    ]
    if engine == "ray":
        command += ["--workers", str(workers)]
    seconds, rss, _ = peak_rss_of(command)
    assert len(pd.read_parquet(scored, columns=["row"])) == rows
    # Ray's actors are separate processes: the driver's RSS is not the whole story there.
    return {
        "rows": rows,
        "engine": engine,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds, 1),
        "peak_rss_mib": round(rss, 1),
        "workers": workers if engine == "ray" else 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--ray-rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            results.append(run(rows, "local", 1, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
        for rows in args.ray_rows:
            results.append(run(rows, "ray", args.workers, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    lines = ["| rows | engine | seconds | rows/s | peak RSS of the command (MiB) |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| {r['rows']:,} | {r['engine']}{' x' + str(r['workers']) if r['engine'] == 'ray' else ''} | "
        f"{r['seconds']} | {r['rows_per_second']} | {r['peak_rss_mib']}"
        f"{' (driver only)' if r['engine'] == 'ray' else ''} |"
        for r in results
    ]
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    name = "corpus_scoring" if args.rows else "corpus_scoring_ray"  # a Ray-only run keeps the local figures
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    (out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
