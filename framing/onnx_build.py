"""Build the ONNX files of a checkpoint: an fp32 graph with fused attention (ONNX Runtime's
transformer optimizer) and two dynamically quantized int8 copies of it (see framing.runtime).

Both are derived deterministically from the checkpoint's safetensors, so a checkpoint may
name an ONNX back end in framing.json and ship without the (large) files: the predictor
builds them on first use. Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

import torch
from torch import nn

from framing.checkpoint import ONNX_FILES, load_checkpoint, weights_digest
from framing.errors import FramingError
from framing.output import atomic_file

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPTIMIZER_MODEL_TYPES = {"bert": "bert", "roberta": "bert", "distilbert": "bert"}


class _Graph(nn.Module):
    """The forward pass with plain tensor inputs and outputs, as the exporter wants it."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, **extra)
        if out.technique_logits is None:
            return out.logits, out.word_logits
        return out.logits, out.word_logits, out.technique_logits, out.technique_features


def export_onnx(
    folder: str | Path,
    which: tuple[str, ...] = ("onnx-fp32", "onnx-int8", "onnx-int8-full"),
    target: str | Path | None = None,
) -> dict[str, Path]:
    """Write the requested ONNX files of checkpoint `folder` into `target` (default: the
    checkpoint folder itself); returns {runtime: path}."""
    folder = Path(folder)
    target = Path(target) if target else folder
    # Eager attention exports as plain matmul/softmax, which the optimizer fuses into one
    # Attention op per layer; the SDPA export is not fused and runs slower.
    model, tokenizer, _ = load_checkpoint(folder, attn_implementation="eager")
    digest = weights_digest(folder)
    inputs = [name for name in INPUTS if name in tokenizer.model_input_names]
    sample = tokenizer(
        ["A short sample.", "A somewhat longer sample sentence for export."], padding=True, return_tensors="pt"
    )
    techniques = ["technique_logits", "technique_features"] if model.technique_branch is not None else []
    outputs = ["logits", "word_logits"] + techniques
    written = {}
    with tempfile.TemporaryDirectory(dir=target, prefix=".export-") as scratch:
        raw = Path(scratch) / "raw.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Graph(model).eval(),
                tuple(sample[name] for name in inputs),
                str(raw),
                dynamo=False,
                input_names=inputs,
                output_names=outputs,
                opset_version=17,
                dynamic_axes={
                    **{name: {0: "batch", 1: "tokens"} for name in inputs},
                    "logits": {0: "batch"},
                    "word_logits": {0: "batch", 1: "tokens"},
                    "technique_logits": {0: "batch"},
                    "technique_features": {0: "batch"},
                },
            )
        fp32 = Path(scratch) / ONNX_FILES["onnx-fp32"]
        _optimize(raw, fp32, model.config)
        for name in ("onnx-int8", "onnx-int8-full"):
            if name in which:
                int8 = Path(scratch) / ONNX_FILES[name]
                _quantize(fp32, int8, keep_ffn_down=name == "onnx-int8")  # before fp32 is moved into place
                written[name] = _publish(int8, target, digest)
        if "onnx-fp32" in which:
            written["onnx-fp32"] = _publish(fp32, target, digest)
    return written


def _optimize(source: Path, target: Path, config) -> None:
    from onnxruntime.transformers import optimizer

    model_type = OPTIMIZER_MODEL_TYPES.get(config.model_type)
    if model_type is None:  # unknown architecture: keep the exported graph as it is
        os.replace(source, target)
        return
    optimized = optimizer.optimize_model(
        str(source), model_type=model_type, num_heads=config.num_attention_heads, hidden_size=config.hidden_size
    )
    optimized.save_model_to_file(str(target))


def sensitive_nodes(graph, keep_ffn_down: bool = True) -> list[str]:
    """Matrix multiplies kept in fp32: the heads (the last three matmuls outside the technique
    branch: pooler, classifier and word head, which the forward pass runs last, and the branch's
    own linear layer) and, with `keep_ffn_down`, each feed-forward down-projection (its input
    comes from a GELU, whose long-tailed outputs quantize worst). On the shipped model's BABE dev
    split: with them, 99.2% of fp32's labels and macro-F1 +0.003; quantizing them too, 98.5%
    and -0.005, for a third more sentences/s (they are a third of the matmul work)."""
    producers = {output: node for node in graph.node for output in node.output}
    matmuls = [node for node in graph.node if node.op_type in ("MatMul", "Gemm")]
    after_gelu = [
        node.name
        for node in matmuls
        if any("Gelu" in getattr(producers.get(name), "op_type", "") for name in node.input)
    ]
    shared = [node.name for node in matmuls if "/technique_branch/" not in node.name]
    # the quantizer turns a Gemm into a MatMul named "<name>_MatMul" first: exclude that name too
    technique_head = [node.name for node in matmuls if "/technique_branch/head/" in node.name]
    heads = shared[-3:] + technique_head + [f"{name}_MatMul" for name in technique_head]
    return sorted(set((after_gelu if keep_ffn_down else []) + heads))


def _quantize(source: Path, target: Path, keep_ffn_down: bool) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales (one per output column) keep more of fp32's labels than one per matrix.
    graph = onnx.load(str(source), load_external_data=False).graph
    root, level = logging.getLogger(), logging.getLogger().level
    root.setLevel(logging.ERROR)  # the quantizer logs a pre-processing hint that is noise here
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=sensitive_nodes(graph, keep_ffn_down),
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)


def _publish(path: Path, folder: Path, digest: str) -> Path:
    """Move a finished ONNX file (built in a scratch folder beside `folder`) into place, then
    its stamp: a file without a matching stamp is never taken as current."""
    target = folder / path.name
    try:
        os.replace(path, target)
        with atomic_file(target.with_name(target.name + ".sha256")) as stamp:
            stamp.write_text(digest + "\n")
    except OSError as error:
        raise FramingError(f"{target}: cannot write ({error.strerror})") from None
    return target
