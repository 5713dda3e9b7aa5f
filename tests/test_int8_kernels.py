"""Int8 graphs re-expressed for CPUs whose uint8 x int8 kernel saturates (framing.int8_kernels)."""

import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from framing import FramingClassifier
from framing.int8_kernels import int8_product_saturates, unsaturated_model

from helpers import EDITORIAL, NEUTRAL


def _product_graph(path, weights: np.ndarray, zero_point, nodes: int = 1, dequantized: bool = False) -> None:
    """Y = MatMulInteger(A, W) (with `nodes` 2, two added, reading the same W): A a uint8 input
    [M, K], W [K, N] int8 stored in the file (with its per-column zero points, or none given);
    with `dequantized` W is also read by a DequantizeLinear, whose output Z is returned too."""
    initializers = [numpy_helper.from_array(weights, "W")]
    inputs = ["A", "W"]
    if zero_point is not None:
        initializers.append(numpy_helper.from_array(zero_point, "W_zero"))
        inputs += ["", "W_zero"]
    products = [helper.make_node("MatMulInteger", inputs, [f"P{i}"]) for i in range(nodes)]
    total = helper.make_node("Add", ["P0", "P1"], ["Y"]) if nodes == 2 else helper.make_node("Identity", ["P0"], ["Y"])
    outputs = [helper.make_tensor_value_info("Y", TensorProto.INT32, [None, weights.shape[1]])]
    extra = []
    if dequantized:
        initializers.append(numpy_helper.from_array(np.float32(0.5), "W_scale"))
        extra = [helper.make_node("DequantizeLinear", ["W", "W_scale"], ["Z"])]
        outputs.append(helper.make_tensor_value_info("Z", TensorProto.FLOAT, list(weights.shape)))
    graph = helper.make_graph(
        [*products, total, *extra],
        "product",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, [None, weights.shape[0]])],
        outputs,
        initializers,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8), str(path))


def _run(model, a: np.ndarray, output: str = "Y") -> np.ndarray:
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    return session.run([output], {"A": a})[0]


@pytest.mark.parametrize("zero_point", [np.array([0, 3, -5, 7], np.int8), None], ids=["zero points", "none"])
def test_the_re_expressed_weights_give_the_exact_product(tmp_path, zero_point):
    rng = np.random.default_rng(0)
    # values a kernel could saturate on (|w| > 64), but not in these sums (small activations)
    weights = rng.integers(-100, 100, (32, 4)).astype(np.int8)
    a = rng.integers(0, 40, (5, 32)).astype(np.uint8)
    _product_graph(tmp_path / "product.onnx", weights, zero_point)
    exact = a.astype(np.int64) @ (weights.astype(np.int64) - (0 if zero_point is None else zero_point))
    re_expressed = unsaturated_model(tmp_path / "product.onnx")
    graph = onnx.load_from_string(re_expressed).graph
    assert [t.data_type for t in graph.initializer] == [TensorProto.UINT8] * len(graph.initializer)
    assert (_run(re_expressed, a) == exact).all() and (_run(str(tmp_path / "product.onnx"), a) == exact).all()


def test_a_weight_other_nodes_read_stays_and_small_weights_are_left_alone(tmp_path):
    rng = np.random.default_rng(1)
    weights = rng.integers(-120, 120, (16, 3)).astype(np.int8)
    a = rng.integers(0, 30, (2, 16)).astype(np.uint8)
    _product_graph(tmp_path / "shared.onnx", weights, np.array([1, 0, -2], np.int8), nodes=2, dequantized=True)
    re_expressed = unsaturated_model(tmp_path / "shared.onnx")
    exact = 2 * a.astype(np.int64) @ (weights.astype(np.int64) - [1, 0, -2])
    assert (_run(re_expressed, a) == exact).all()  # both products read the one uint8 copy
    assert (_run(re_expressed, a, "Z") == weights * 0.5).all()  # the dequantized int8 original, kept
    names = {t.name: t.data_type for t in onnx.load_from_string(re_expressed).graph.initializer}
    assert names["W"] == TensorProto.INT8 and names["W_uint8"] == TensorProto.UINT8
    # 7-bit weights cannot saturate: the graph keeps them as they are
    _product_graph(tmp_path / "small.onnx", (weights // 2).astype(np.int8), None)
    kept = onnx.load_from_string(unsaturated_model(tmp_path / "small.onnx")).graph
    assert [(t.name, t.data_type) for t in kept.initializer] == [("W", TensorProto.INT8)]


def test_the_re_expressed_graph_never_saturates_and_the_probe_tells_which_kernel_does(tmp_path):
    # 255 x 127 in every term: a kernel adding pairs of products in 16 bits cannot hold them
    weights = np.full((768, 16), 127, np.int8)
    a = np.full((3, 768), 255, np.uint8)
    _product_graph(tmp_path / "product.onnx", weights, np.zeros(16, np.int8))
    assert (_run(unsaturated_model(tmp_path / "product.onnx"), a) == 255 * 127 * 768).all()
    as_written = _run(str(tmp_path / "product.onnx"), a)
    assert int8_product_saturates() == bool((as_written != 255 * 127 * 768).any())


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-int8-full"])
def test_a_back_end_on_the_re_expressed_graph_scores_as_fp32_does(exported, runtime, monkeypatch, tmp_path):
    texts = NEUTRAL + EDITORIAL
    reference = FramingClassifier.from_pretrained(exported, runtime="onnx-fp32").predict_proba(texts)
    as_shipped = FramingClassifier.from_pretrained(exported, runtime=runtime).predict_proba(texts)
    monkeypatch.setattr("framing.runtime.int8_product_saturates", lambda: True)  # as on such a CPU
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    classifier = FramingClassifier.from_pretrained(exported, runtime=runtime)
    made = Path(classifier.runtime.model_source())  # made once into the cache, weights beside it
    assert made.is_relative_to(tmp_path / "cache") and made.with_name(made.name + ".data").is_file()
    proba = classifier.predict_proba(texts)
    assert np.abs(proba - reference).max() < 0.1
    assert (proba.argmax(1) == reference.argmax(1))[np.abs(reference[:, 1] - 0.5) > 0.1].all()
    if not int8_product_saturates():  # where the shipped graph's products are exact too: the same scores
        assert np.array_equal(proba, as_shipped)
    # a second load takes the cached file as it is
    stamp = made.stat().st_mtime_ns
    again = FramingClassifier.from_pretrained(exported, runtime=runtime)
    assert again.runtime.model_source() == str(made) and made.stat().st_mtime_ns == stamp
    # where the cache cannot be written, the graph is held in memory: the same scores
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "a file"))
    in_memory = FramingClassifier.from_pretrained(exported, runtime=runtime)
    assert np.array_equal(in_memory.predict_proba(texts), proba)
    assert in_memory.runtime._unsaturated is None  # its sessions opened, the copy is let go
    in_memory.runtime._forget_threads()  # as after a fork: opened again, made again
    assert np.array_equal(in_memory.predict_proba(texts), proba)


def test_processes_loading_at_once_share_one_copy_and_an_older_files_copy_goes(exported, monkeypatch, tmp_path, capsys):
    import threading
    import time

    from framing import runtime

    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    path = exported / "model.int8-full.onnx"
    stale = runtime.onnx_cache(path.parent) / f"{path.stem}.unsaturated-0123456789abcdef"
    stale.mkdir(parents=True)  # the copy of the file as installed before: made before the file
    os.utime(stale, (path.stat().st_mtime - 60, path.stat().st_mtime - 60))
    recent = stale.with_name(f"{path.stem}.unsaturated-fedcba9876543210")
    recent.mkdir()  # made since the file was installed (another machine's, sharing the cache): kept
    other = runtime.onnx_cache(path.parent) / "model.int8.unsaturated-0123456789abcdef"
    other.mkdir()  # another back end's: kept
    made, saves = [], []
    real_save = runtime.save_unsaturated

    def slow_save(source, target):  # long enough that the other loader arrives meanwhile
        saves.append(target)
        time.sleep(0.5)
        real_save(source, target)

    monkeypatch.setattr(runtime, "save_unsaturated", slow_save)
    loaders = [threading.Thread(target=lambda: made.append(runtime.unsaturated_copy(path))) for _ in range(2)]
    for loader in loaders:
        loader.start()
    for loader in loaders:
        loader.join()
    assert len(saves) == 1 and len(made) == 2 and made[0] == made[1] and Path(made[0]).is_file()
    assert capsys.readouterr().err.count("waiting for another process making") == 1  # the second loader says so
    assert not stale.exists() and recent.is_dir() and other.is_dir()
    # a session whose copy was removed meanwhile (a newer install's load) makes it again
    classifier = FramingClassifier.from_pretrained(exported, runtime="onnx-int8-full")
    monkeypatch.setattr("framing.runtime.int8_product_saturates", lambda: True)
    classifier.runtime._unsaturated = str(stale / path.name)
    assert classifier.runtime.model_source() == made[0]
