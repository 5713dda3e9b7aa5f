"""Where predict's time goes, and how far it is from the machine's compute bound.

    python benchmarks/inference_profile.py [--checkpoint DIR] [--runtime onnx-int8]

On the BABE dev sentences, with the checkpoint's back end:
- tokenisation time, and padding: real tokens / padded tokens in the length-sorted batches;
- ONNX Runtime's own profile of one pass, summed by operator type (which matmuls are int8,
  which fp32, attention, the rest);
- the model's arithmetic per sentence (2 x multiply-adds of every matmul, attention
  included, at each sentence's real length) and the rate actually achieved, against the
  machine's measured peak for a large fp32 GEMM (torch) and int8 GEMM (ONNX Runtime
  MatMulInteger) on the same threads.
Prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "babe" / "babe_sg2_dev.csv"


def matmul_flops(config, tokens: int) -> float:
    """FLOPs of one sentence of `tokens` tokens through a BERT encoder (matmuls only)."""
    d, ff, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    per_layer = 2 * tokens * (4 * d * d + 2 * d * ff) + 2 * 2 * tokens * tokens * d  # projections + QK^T and AV
    return layers * per_layer


def peak_fp32_gflops(threads: int) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    a @ b
    started, runs = time.perf_counter(), 5
    for _ in range(runs):
        a @ b
    return 2 * 2048**3 * runs / (time.perf_counter() - started) / 1e9


def peak_int8_gops(threads: int) -> float:
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from framing.int8_kernels import int8_product_saturates

    # the weight type the back end runs here: uint8 where the int8 kernel saturates
    weights = TensorProto.UINT8 if int8_product_saturates() else TensorProto.INT8
    n = 1024
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["c"])],
        "gemm",
        [
            helper.make_tensor_value_info("a", TensorProto.UINT8, [n, n]),
            helper.make_tensor_value_info("b", weights, [n, n]),
        ],
        [helper.make_tensor_value_info("c", TensorProto.INT32, [n, n])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    feeds = {
        "a": np.random.randint(0, 255, (n, n), dtype=np.uint8),
        "b": np.random.randint(-127, 127, (n, n)).astype(np.int8).view(onnx.helper.tensor_dtype_to_np_dtype(weights)),
    }
    session.run(None, feeds)
    started, runs = time.perf_counter(), 20
    for _ in range(runs):
        session.run(None, feeds)
    del onnx
    return 2 * n**3 * runs / (time.perf_counter() - started) / 1e9


def kernel_rows(clf, texts: list[str], threads: int) -> list[str]:
    """Time per ONNX Runtime operator over one predict pass, from its profiler (the 8 costliest)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1 if clf.runtime.max_batch == 1 else threads  # as framing.runtime does
    options.enable_profiling = True
    options.profile_file_prefix = str(Path(tempfile.mkdtemp()) / "ort")
    profiled = ort.InferenceSession(clf.runtime.model_source(), options, providers=["CPUExecutionProvider"])
    clf.runtime._sessions = {1: profiled, threads: profiled}  # every call goes through the profiled session
    clf.predict_proba(texts)
    trace = json.loads(Path(profiled.end_profiling()).read_text())
    by_op: dict[str, float] = collections.Counter()
    for event in trace:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            by_op[event["args"]["op_name"]] += event["dur"] / 1e6
    spent = sum(by_op.values())
    return [f"| ONNX Runtime kernels, total | {spent * 1000:.0f} ms |"] + [
        f"| &nbsp; {op} | {seconds * 1000:.0f} ms ({seconds / spent:.0%}) |"
        for op, seconds in sorted(by_op.items(), key=lambda kv: -kv[1])[:8]
    ]


def main() -> None:
    import pandas as pd

    from framing import FramingClassifier
    from framing.runtime import OnnxRuntime, physical_cores

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--runtime", default="auto")
    args = parser.parse_args()
    texts = pd.read_csv(DEV)["text"].tolist()
    clf = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime)
    threads = physical_cores()

    started = time.perf_counter()
    encoded = clf.encoder.encode(texts)
    tokenize_s = time.perf_counter() - started
    lengths = sorted(len(e.ids) for e in encoded)
    size = min(clf.batch_size, clf.runtime.max_batch or clf.batch_size)  # per-text back ends: 1, no padding
    padded = sum(max(lengths[i : i + size]) * len(lengths[i : i + size]) for i in range(0, len(lengths), size))
    clf.predict_proba(texts)  # warm up
    started = time.perf_counter()
    clf.predict_proba(texts)
    total_s = time.perf_counter() - started

    rows = [
        f"Checkpoint {clf.checkpoint_dir}, back end {clf.runtime.name}, {len(texts)} dev sentences, {threads} threads.",
        "",
        "| what | value |",
        "| --- | --- |",
        f"| whole predict pass | {total_s * 1000:.0f} ms ({len(texts) / total_s:.0f} sentences/s) |",
        f"| tokenisation (batched, fast tokenizer) | {tokenize_s * 1000:.1f} ms ({tokenize_s / total_s:.1%}) |",
        f"| padding: real / padded tokens (batches of {size}, length-sorted) | {sum(lengths) / padded:.1%} |",
        f"| mean tokens per sentence | {np.mean(lengths):.1f} |",
    ]

    if isinstance(clf.runtime, OnnxRuntime):
        rows += kernel_rows(clf, texts, threads)

    config = json.loads((Path(clf.checkpoint_dir) / "config.json").read_text())
    flops = sum(matmul_flops(config, n) for n in lengths)
    achieved = flops / total_s / 1e9
    fp32_peak, int8_peak = peak_fp32_gflops(threads), peak_int8_gops(threads)
    rows += [
        f"| model arithmetic | {flops / len(texts) / 1e6:.0f} MFLOP per sentence (matmuls, real lengths) |",
        f"| achieved | {achieved:.0f} GFLOP/s |",
        f"| peak, fp32 GEMM 2048³ (torch) | {fp32_peak:.0f} GFLOP/s: "
        f"fp32 bound {fp32_peak * 1e9 / (flops / len(texts)):.0f} sentences/s |",
        f"| peak, int8 GEMM 1024³ (ORT MatMulInteger) | {int8_peak:.0f} GOP/s: "
        f"int8 bound {int8_peak * 1e9 / (flops / len(texts)):.0f} sentences/s |",
    ]
    print("\n".join(rows))


if __name__ == "__main__":
    main()
