"""Inference back ends. Each turns a padded batch (numpy int64 arrays `input_ids`,
`attention_mask`, maybe `token_type_ids`, all [B, T]) into sentence logits [B, C] and, when
asked, per-token word logits [B, T]. The predictor does tokenization, batching and
calibration around whichever back end the checkpoint names.

- torch-fp32: the PyTorch model as trained (rounded from the stored fp16 weights).
- onnx-fp32 / onnx-int8 / onnx-int8-full: ONNX Runtime on a graph with fused attention,
  built by framing.export. The int8 ones have dynamically quantized matrix multiplies:
  onnx-int8 keeps the feed-forward down-projections in fp32 (closest to fp32's labels),
  onnx-int8-full quantizes every encoder matmul (about a third faster; a little further
  from fp32). `framing export` measures both and records the fastest within tolerance.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np
import torch

RUNTIMES = ("torch-fp32", "onnx-fp32", "onnx-int8", "onnx-int8-full")
ONNX_FILES = {"onnx-fp32": "model.onnx", "onnx-int8": "model.int8.onnx", "onnx-int8-full": "model.int8-full.onnx"}


def physical_cores() -> int:
    """Threads for matrix work: hyper-threads do not add arithmetic units, so count cores."""
    try:
        cores = {line.split(":")[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("core id")}
        sockets = {line.split(":")[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("physical id")}
        counted = len(cores) * max(1, len(sockets))
    except OSError:
        counted = 0
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(counted or available, available))


class TorchRuntime:
    name = "torch-fp32"

    def __init__(self, model):
        self.model = model.eval()

    @torch.inference_mode()
    def __call__(self, batch: dict[str, np.ndarray], with_words: bool) -> tuple[np.ndarray, Optional[np.ndarray]]:
        tensors = {key: torch.from_numpy(value) for key, value in batch.items()}
        if not with_words:
            return self.model.classifier(**tensors).logits.float().numpy(), None
        out = self.model(**tensors)
        return out.logits.float().numpy(), out.word_logits.float().numpy()


class OnnxRuntime:
    def __init__(self, path: Path, name: str, threads: Optional[int] = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or physical_cores()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.name = name
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [item.name for item in self.session.get_inputs()]

    def __call__(self, batch: dict[str, np.ndarray], with_words: bool) -> tuple[np.ndarray, Optional[np.ndarray]]:
        feeds = {name: batch[name].astype(np.int64, copy=False) for name in self.inputs}
        if not with_words:
            return self.session.run(["logits"], feeds)[0], None
        logits, word_logits = self.session.run(["logits", "word_logits"], feeds)
        return logits, word_logits
