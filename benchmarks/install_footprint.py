"""What a user who only predicts pays: the light install (the wheel, no extras) against the
full one (the `train` extra: torch, transformers, ...).

    python benchmarks/install_footprint.py [--full-venv .venv] [--output benchmarks/results]

Builds the wheel, installs it into a fresh virtual environment and measures, outside the
repository and offline: disk size of the environment and number of packages; wall time to
the first result of `framing predict "..."` from a cold start (a fresh process, median of 5);
peak RSS of that command, and of labelling one 5 MB passage. The same commands run in the
full environment (`--full-venv`, default this repository's .venv) with the PyTorch back end
(`--fp32`, what every load paid before the light install) for comparison.
Targets: light install <= 400 MB, RSS <= 300 MB after one sentence, first result <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENTENCE = "The senator's apologist foreign policy was another humiliating retreat."
# Runs a command and prints its peak RSS (KiB): RUSAGE_CHILDREN of a process with one child.
MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def disk_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def measure(framing: Path, args: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one fresh `framing` process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(framing), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(done.stdout.strip()) / 1024


def profile(name: str, env_dir: Path, flags: list[str], work: Path, env: dict) -> dict:
    framing = env_dir / "bin" / "framing"
    measure(framing, ["predict", *flags, SENTENCE], work, env)  # warm the page cache, not the process
    cold = [measure(framing, ["predict", *flags, SENTENCE], work, env) for _ in range(5)]
    passage = work / "passage.txt"
    passage.write_text(("The senator spoke on Tuesday about the annual budget. " * 95_000)[:5_000_000] + "\n")
    _, big_rss = measure(framing, ["predict", *flags, "--input", str(passage)], work, env)
    packages = subprocess.run(
        [env_dir / "bin" / "python", "-m", "pip", "list", "--format=json"], capture_output=True, text=True, env=env
    ).stdout
    return {
        "install": name,
        "disk_mib": round(disk_mib(env_dir)),
        "packages": len(json.loads(packages or "[]")),
        "first_result_s": round(statistics.median(t for t, _ in cold), 2),
        "rss_one_sentence_mib": round(statistics.median(r for _, r in cold)),
        "rss_5mb_passage_mib": round(big_rss),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-venv", default=str(REPO / ".venv"))
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(REPO)], check=True
        )
        wheel = next((work / "dist").glob("framing-*.whl"))
        light = work / "light"
        venv.create(light, with_pip=True)
        subprocess.run([light / "bin" / "python", "-m", "pip", "install", "-q", str(wheel)], check=True)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "FRAMING_CACHE": str(work / "cache")}
        env.pop("FRAMING_CHECKPOINT", None)
        rows = [
            profile("light (the wheel, ONNX back end)", light, [], work, env),
            profile("full (`train` extra, PyTorch back end)", Path(args.full_venv), ["--fp32"], work, env),
        ]
        rows[0]["wheel_mib"] = round(wheel.stat().st_size / 2**20, 1)
    lines = [
        "| install | disk MiB | packages | first result s | RSS one sentence MiB | RSS 5 MB passage MiB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['install']} | {r['disk_mib']} | {r['packages']} | {r['first_result_s']} | "
        f"{r['rss_one_sentence_mib']} | {r['rss_5mb_passage_mib']} |"
        for r in rows
    ]
    table = "\n".join(lines) + f"\n\nWheel: {rows[0]['wheel_mib']} MiB.\n"
    print(table)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "install_footprint.md").write_text(table)
    (output / "install_footprint.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
