"""Int8 graphs that give the same scores on every x86 CPU.

The int8 back ends multiply uint8 activations by int8 weights. On x86 CPUs with AVX2 but no
VNNI instructions (AVX-512 VNNI or AVX-VNNI; e.g. AMD EPYC before Zen 4, Intel before Cascade
Lake), ONNX Runtime's kernel for that product adds each pair of uint8 x int8 products in a
16-bit register that saturates (vpmaddubsw): on such a CPU the shipped accurate model's dev
ROC-AUC fell from 0.936 to 0.500 (every sentence about the same score), while the fast model's
weights happened to stay clear of it. The dequantized weights are the same whether stored as
int8 with zero point z or as uint8 (w + 128) with zero point z + 128, and ONNX Runtime's
uint8 x uint8 kernel widens to 16 bits before it multiplies, so it never saturates. Where a
one-matrix probe shows this machine's kernel saturating, the graph is loaded with its int8
weights re-expressed so (exactly the same arithmetic, no file written); elsewhere it runs as
shipped. Measured on a 2-core AVX2 machine: AUC 0.936 again, at
about half the int8 speed of a VNNI machine.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

# op type -> (index of the int8 weight input, index of its zero point) in ONNX Runtime's ops
WEIGHT_INPUTS = {
    "MatMulInteger": (1, 3),
    "MatMulIntegerToFloat": (1, 3),
    "DynamicQuantizeMatMul": (1, 3),
    "QAttention": (1, 7),
}


@cache
def int8_product_saturates() -> bool:
    """Whether this machine's uint8 x int8 matrix product saturates: 255 * 127 summed over 64
    terms is 2,072,640; a kernel that adds pairs in 16 bits gives 32 * 32,767 instead."""
    import onnx
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
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = min(model.ir_version, onnx.IR_VERSION)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.log_severity_level = 1, 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    product = session.run(["Y"], {"A": np.full((4, depth), 255, np.uint8)})[0]
    return bool((product != 255 * 127 * depth).any())


def unsaturated_model(path: Path) -> bytes:
    """The ONNX file at `path` (with its external weight files), each int8 weight of a quantized
    matrix product stored as uint8 with its zero point moved by 128: the same dequantized
    values, run by the kernel that does not saturate. Returns the serialized model."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))  # [external data read in]
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    shifted: set[str] = set()
    for node in model.graph.node:
        if node.op_type not in WEIGHT_INPUTS:
            continue
        weight_at, zero_at = WEIGHT_INPUTS[node.op_type]
        weight = node.input[weight_at] if len(node.input) > weight_at else ""
        if initializers.get(weight) is None or initializers[weight].data_type != onnx.TensorProto.INT8:
            continue  # already uint8, or computed in the graph: nothing to re-express
        while len(node.input) <= zero_at:  # no zero point given: int8 zero, so uint8 128
            node.input.append("")
        if not node.input[zero_at]:
            node.input[zero_at] = f"{weight}_zero_point_int8"
            if node.input[zero_at] not in initializers:
                model.graph.initializer.append(numpy_helper.from_array(np.int8(0), node.input[zero_at]))
                initializers[node.input[zero_at]] = model.graph.initializer[-1]  # append copies: the graph's own
        for name in (weight, node.input[zero_at]):
            if name not in shifted:
                values = numpy_helper.to_array(initializers[name]).astype(np.int16) + 128
                initializers[name].CopyFrom(numpy_helper.from_array(values.astype(np.uint8), name))
                shifted.add(name)
    return model.SerializeToString()
