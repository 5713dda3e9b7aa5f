"""`framing techniques` on a checkpoint that ships only its ONNX graph (`framing package`, e.g.
the shipped `accurate` model): a new head, trained on the features the graph's own technique
branch pools, replaces the head's weights in a copy of the graph.

Such a checkpoint has no encoder to run in PyTorch, so the graph must already pool for a head
(it holds one) and its branch's copied layers, if any, stay as they are (`layers: 0`). The
head's shape may change (its hidden units, the number of techniques), not its kind (an MLP or
a linear layer). The encoder's weights, and so every other output, stay bit for bit.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from framing.checkpoint import HEADS_FILE, META_FILE, ONNX_FILES, CheckpointMeta, update_meta
from framing.errors import FramingError
from framing.model import TechniqueBranch
from framing.output import atomic_folder
from framing.predictor import FramingClassifier
from framing.technique_lexicon import LEXICON_FILE
from framing.techniques import TechniqueHead
from framing.training.add_techniques import checkpoint_text_files, staging_checkpoint
from framing.training.config import TechniqueConfig
from framing.training.model_card import refresh_model_card
from framing.training.package import SMALL_FILES, write_sharded
from framing.training.technique_data import technique_data
from framing.training.technique_head import fitted_head, fitted_lexicon, train_head

HEAD_NODES = "/model/technique_branch/head/"  # the exported head's node names start so
FEATURES = "technique_features"
SHARD_BYTES = 45 * 10**6  # as `framing package` writes them


def add_techniques_to_graph(
    source: Path, meta: CheckpointMeta, config: TechniqueConfig, output: str | Path, overwrite: bool
) -> dict:
    """Write `output`: ONNX-only checkpoint `source` (checked: `meta`) with its technique head
    retrained by `config`."""
    graph = source / ONNX_FILES[meta.runtime.name]
    _check_fits(source, meta, config)
    config = config.model_copy(update={"layers": meta.techniques.layers})  # the graph's branch, kept
    data = technique_data(config)
    lexicon = fitted_lexicon(data.texts[0], data.train_targets, str(config.train)) if config.lexical_weight else None
    encoder = FramingClassifier.from_pretrained(source)
    features = [np.array(encoder.forward_techniques(texts, FEATURES)) for texts in data.texts]  # [N, 2H]
    branch = TechniqueBranch.head_alone(features[0].shape[1], len(data.labels), config.hidden)
    history = train_head(branch, features[0], data.train_targets, features[1], data.dev_targets, config)
    head = TechniqueHead(
        labels=data.labels, layers=config.layers, hidden=config.hidden, lexical_weight=config.lexical_weight
    )
    with staging_checkpoint(output) as staged:
        staged.mkdir()
        for name in SMALL_FILES:
            if (source / name).is_file() and name not in (HEADS_FILE, LEXICON_FILE):
                shutil.copy2(source / name, staged / name)
        for name, text in checkpoint_text_files(source, config).items():
            (staged / name).write_text(text, encoding="utf-8")
        head_weights = _head_weights(branch, source / HEADS_FILE)
        _write_heads(source / HEADS_FILE, staged / HEADS_FILE, head_weights)
        _write_graph(graph, staged / graph.name, head_weights, len(data.labels))
        if lexicon is not None:
            lexicon.save(staged)
        (staged / META_FILE).write_text(meta.model_copy(update={"techniques": head}).to_json(), encoding="utf-8")
        classifier = FramingClassifier.from_pretrained(staged)
        head, figures = fitted_head(classifier.forward_techniques(data.dev_texts), data, config)
        refresh_model_card(staged, update_meta(staged, {"techniques": head.model_dump()}))
        with atomic_folder(output, overwrite, kind="checkpoint") as target:
            shutil.copytree(staged, target, dirs_exist_ok=True)
    return {"labels": data.labels, "folded": data.folded, "rounds": history, "dev": figures}


def _check_fits(source: Path, meta: CheckpointMeta, config: TechniqueConfig) -> None:
    if meta.techniques is None:
        raise FramingError(
            f"{source} ships only its ONNX graph, which has no technique branch to pool for a head; "
            f"add the head to the checkpoint it was packaged from"
        )
    if config.layers:
        raise FramingError(
            f"{source} ships only its ONNX graph: its technique branch stays as it is; set techniques.layers: 0"
        )
    if bool(config.hidden) != bool(meta.techniques.hidden):
        kind = f"an MLP ({meta.techniques.hidden} hidden units)" if meta.techniques.hidden else "a linear layer"
        raise FramingError(
            f"{source} ships only its ONNX graph, whose technique head is {kind}: set techniques.hidden to "
            f"{'a number above 0' if meta.techniques.hidden else '0'}"
        )


def _head_weights(branch: TechniqueBranch, heads_file: Path) -> dict[str, np.ndarray]:
    """The trained head's tensors by state-dict name (`1.weight` [out, in], ...), rounded to the
    type of the checkpoint's heads file (fp16), in which the graph gets them too."""
    from safetensors import safe_open

    with safe_open(str(heads_file), "np") as heads:
        dtype = heads.get_tensor(next(iter(heads.keys()))).dtype
    return {name: value.detach().float().numpy().astype(dtype) for name, value in branch.head.state_dict().items()}


def _write_heads(source: Path, target: Path, head_weights: dict[str, np.ndarray]) -> None:
    from safetensors.numpy import load_file, save_file

    heads = {
        name: value for name, value in load_file(str(source)).items() if not name.startswith("technique_branch.head.")
    }
    heads.update({f"technique_branch.head.{name}": value for name, value in head_weights.items()})
    save_file(heads, str(target))


def _write_graph(source: Path, target: Path, head_weights: dict[str, np.ndarray], num_techniques: int) -> None:
    """Copy graph `source` to `target` (weights sharded as `framing package` does) with the head's
    initializers replaced: each Linear layer `head.N` was exported as a Gemm, or as a MatMul
    (weight stored [in, out], unless the Gemm had transB) and an Add of the bias."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    readers: dict[str, int] = {}
    for node in model.graph.node:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    replaced, head_outputs = set(), set()
    for node in model.graph.node:
        if not node.name.startswith(HEAD_NODES):
            continue
        head_outputs.update(node.output)
        layer = node.name[len(HEAD_NODES) :].split("/")[0].removeprefix("head.")  # "1" of ".../head.1/Gemm"
        for index, kind in _slots(node, initializers):
            name, key = node.input[index], f"{layer}.{kind}"
            if key not in head_weights:  # e.g. a GELU's constant stored as an initializer
                continue
            if readers[name] > 1:
                raise FramingError(f"{source}: the technique head's {key} is shared with other nodes ({name})")
            transposed = kind == "weight" and not any(a.name == "transB" and a.i for a in node.attribute)
            value = head_weights[key].T if transposed else head_weights[key]
            initializers[name].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(value, np.float32), name))
            replaced.add(key)
    if replaced != set(head_weights):
        raise FramingError(
            f"{source}: the graph's technique head has no {', '.join(sorted(set(head_weights) - replaced))}; "
            f"add the head to the checkpoint it was packaged from"
        )
    # shapes recorded for the old head (its width, its number of techniques) would not fit the new one
    kept = [info for info in model.graph.value_info if info.name not in head_outputs]
    del model.graph.value_info[:]
    model.graph.value_info.extend(kept)
    for output in model.graph.output:
        if output.name == "technique_logits":
            output.type.tensor_type.shape.dim[1].dim_value = num_techniques
    with tempfile.TemporaryDirectory(prefix=".graph-", dir=target.parent) as scratch:
        whole = Path(scratch) / target.name
        onnx.save(model, str(whole))
        write_sharded(whole, target, SHARD_BYTES)


def _slots(node, initializers) -> list[tuple[int, str]]:
    """(input index, "weight" or "bias") of the head layer's initializers that `node` reads."""
    if node.op_type == "Gemm":
        return [
            (i, kind)
            for i, kind in ((1, "weight"), (2, "bias"))
            if node.input[i : i + 1] and node.input[i] in initializers
        ]
    if node.op_type == "MatMul":
        return [(1, "weight")] if node.input[1] in initializers else []
    if node.op_type == "Add":  # torch puts the bias first, ONNX Runtime's quantizer second
        return [(i, "bias") for i in (0, 1) if node.input[i] in initializers]
    return []
