"""Int8 graphs whose integer products are exact on every x86 CPU.

The int8 back ends multiply uint8 activations by int8 weights. On x86 CPUs with AVX2 but no
VNNI instructions (AVX-512 VNNI or AVX-VNNI; e.g. AMD EPYC before Zen 4, Intel before Cascade
Lake), ONNX Runtime's kernel for that product adds each pair of uint8 x int8 products in a
16-bit register that saturates (vpmaddubsw): on such a CPU the shipped accurate model's dev
ROC-AUC fell from 0.936 to 0.500 (every sentence about the same score), while the fast model's
weights mostly stayed clear of it. The dequantized weights are the same whether stored as
int8 with zero point z or as uint8 (w + 128) with zero point z + 128, and ONNX Runtime's
uint8 x uint8 kernel widens to 16 bits before it multiplies, so it never saturates. Where a
one-matrix probe shows this machine's kernel saturating, the graph is loaded with those of its
int8 weights that could saturate re-expressed so (the same products; a copy made once into
the ONNX cache, $FRAMING_CACHE, never into the checkpoint folder);
elsewhere it runs as shipped. Scores then differ between CPUs only by float rounding (which
int8's activation rounding can amplify a little). Measured on a 2-core AVX2 machine: AUC 0.936
again, at 5-25% less int8 speed than the saturating kernel's (three runs of each model).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

# op type -> (index of the int8 weight input, index of its zero point) in ONNX Runtime's ops
WEIGHT_INPUTS = {
    "MatMulInteger": (1, 3),
    "MatMulIntegerToFloat": (1, 5),  # A, B, a_scale, b_scale, a_zero_point, b_zero_point
    "DynamicQuantizeMatMul": (1, 3),
    "QAttention": (1, 7),
}
# |w| <= 64: a pair of products 255 * w stays within 32,767, whatever the kernel
SAFE_WEIGHT = 64


@cache
def int8_product_saturates() -> bool:
    """Whether this machine's uint8 x int8 matrix product saturates: 255 * 127 summed over 64
    terms is 2,072,640; a kernel that adds pairs in 16 bits gives 32 * 32,767 instead."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    depth = 64
    weights = numpy_helper.from_array(np.full((depth, 8), 127, np.int8), "B")
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B"], ["Y"])],
        "probe",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, [4, depth])],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, [4, 8])],
        [weights],
    )
    # IR version 8: what every onnxruntime the package allows reads (onnx writes its newest)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.log_severity_level = 1, 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    product = session.run(["Y"], {"A": np.full((4, depth), 255, np.uint8)})[0]
    return bool((product != 255 * 127 * depth).any())


def unsaturated_model(path: Path) -> bytes:
    """The serialized model of unsaturated_graph(path)."""
    return unsaturated_graph(path).SerializeToString()


def save_unsaturated(path: Path, target: Path) -> None:
    """unsaturated_graph(path) written to the file `target`, its weights in one external file
    beside it (`<target name>.data`), so that sessions map them from disk rather than each
    holding a copy."""
    import onnx

    graph = unsaturated_graph(path)
    onnx.save_model(graph, str(target), save_as_external_data=True, location=f"{target.name}.data")


def unsaturated_graph(path: Path):
    """The ONNX file at `path` (with its external weight files), each int8 weight of a quantized
    matrix product that could saturate stored as uint8 with its zero point moved by 128: the
    same dequantized values, run by the kernel that does not saturate. Each such node reads its
    own uint8 copies (`<name>_uint8`), so a tensor some other node reads stays as it was.
    Returns the onnx.ModelProto."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))  # [external data read in]
    graph = model.graph
    arrays = {tensor.name: tensor for tensor in graph.initializer}
    copies: dict[str, onnx.TensorProto] = {}
    for node in graph.node:
        weight_at, zero_at = WEIGHT_INPUTS.get(node.op_type, (None, None))
        weight = node.input[weight_at] if weight_at is not None and len(node.input) > weight_at else ""
        if arrays.get(weight) is None or arrays[weight].data_type != onnx.TensorProto.INT8:
            continue  # not such a product, already uint8, or a weight computed in the graph
        weights = numpy_helper.to_array(arrays[weight]).astype(np.int16)
        if np.abs(weights).max() <= SAFE_WEIGHT:
            continue  # e.g. 7-bit weights: no pair of products reaches the 16-bit limit
        while len(node.input) <= zero_at:
            node.input.append("")
        zero = node.input[zero_at]
        zeros = numpy_helper.to_array(arrays[zero]).astype(np.int16) if zero else np.int16(0)  # none given: 0
        for index, name, values in ((weight_at, weight, weights), (zero_at, zero or f"{weight}_zero_point", zeros)):
            copy = f"{name}_uint8"
            if copy not in copies:
                copies[copy] = numpy_helper.from_array((values + 128).astype(np.uint8), copy)
            node.input[index] = copy
    used = {name for node in graph.node for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]  # the int8 originals no node reads
    del graph.initializer[:]
    graph.initializer.extend(kept + list(copies.values()))
    return model
