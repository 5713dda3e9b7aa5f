"""`framing package`: a checkpoint made ready to ship as the ONNX graph it runs, and nothing else.

A base-size encoder's weights do not fit a repository or a wheel twice: all-mpnet-base-v2's
fp16 safetensors are 219 MB beside its 111 MB int8 graph. So a packaged folder keeps the back
end `framing export` chose (its graph, with the weights split into external data files of at
most `shard_mb` each, so that no file passes a repository's size limit), the tokenizer, the
heads, framing.json (marked `onnx_only`), the resolved config, metrics and the model card.
It predicts, analyzes and serves exactly as the source folder does through that back end;
training, export and --fp32 need the source folder (`framing techniques` retrains the technique head
of a packaged folder on its graph's features: training/graph_technique_head.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from framing.checkpoint import (
    HEADS_FILE,
    META_FILE,
    ONNX_DATA_SUFFIX,
    ONNX_FILES,
    check_folder,
    is_current,
    onnx_weight_files,
    weights_digest,
)
from framing.errors import FramingError
from framing.output import atomic_folder
from framing.technique_lexicon import LEXICON_FILE

SMALL_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    HEADS_FILE,
    LEXICON_FILE,
    "training_config.yaml",
    "metrics.json",
    "README.md",
)
PAGE = 4096  # each tensor starts on a page boundary, so ONNX Runtime can map it from the file


def package_checkpoint(source: str | Path, target: str | Path, shard_mb: int = 45, overwrite: bool = False) -> Path:
    """Write `target`: `source`'s chosen ONNX back end, weights in shards of at most
    `shard_mb` MB, and the small files; refuses a source whose back end is PyTorch or whose
    ONNX file is missing or built from other weights."""
    source, target = Path(source), Path(target)
    meta = check_folder(source)
    if meta.onnx_only:
        raise FramingError(f"{source}: already packaged (onnx_only); package the checkpoint it came from")
    graph_name = ONNX_FILES.get(meta.runtime.name) if meta.runtime else None
    if graph_name is None:
        raise FramingError(
            f"{source}: no ONNX back end chosen (runtime: "
            f"{meta.runtime.name if meta.runtime else 'none'}); run `framing export` first"
        )
    if not is_current(source / graph_name, source, weights_digest(source)):
        raise FramingError(f"{source / graph_name}: missing or built from other weights; run `framing export` again")
    with atomic_folder(target, overwrite, kind="checkpoint") as staging:
        for name in SMALL_FILES:
            if (source / name).is_file():
                shutil.copy2(source / name, staging / name)
        write_sharded(source / graph_name, staging / graph_name, shard_mb * 10**6)
        packaged = meta.model_copy(update={"onnx_only": True})
        (staging / META_FILE).write_text(packaged.to_json(), encoding="utf-8")
    return target


def write_sharded(source: Path, target: Path, shard_bytes: int) -> list[Path]:
    """Save ONNX graph `source` as `target` with every initializer over 1 KB in external data
    files `target.data-0`, `-1`, ..., none larger than `shard_bytes` (a tensor larger than
    that is refused by name: it cannot be split). Returns the files written, graph first."""
    import onnx
    from onnx import numpy_helper
    from onnx.external_data_helper import set_external_data

    model = onnx.load(str(source))
    shards: list[bytearray] = [bytearray()]
    for tensor in model.graph.initializer:
        if not tensor.raw_data and tensor.ByteSize() > 1024:  # typed fields (float_data, ...) as raw bytes
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor), tensor.name))
        data = tensor.raw_data
        if len(data) <= 1024:  # scales, zero points, biases of small heads: inline
            continue
        if len(data) > shard_bytes:
            raise FramingError(
                f"{source}: tensor {tensor.name} is {len(data) / 1e6:.0f} MB, more than a shard "
                f"({shard_bytes / 1e6:.0f} MB)"
            )
        start = -len(shards[-1]) % PAGE + len(shards[-1])
        if start + len(data) > shard_bytes:
            shards.append(bytearray())
            start = 0
        shards[-1].extend(b"\0" * (start - len(shards[-1])) + data)
        set_external_data(
            tensor, location=f"{target.name}{ONNX_DATA_SUFFIX}-{len(shards) - 1}", offset=start, length=len(data)
        )
        tensor.ClearField("raw_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
    for index, shard in enumerate(shards):
        (target.parent / f"{target.name}{ONNX_DATA_SUFFIX}-{index}").write_bytes(shard)
    target.write_bytes(model.SerializeToString())
    return onnx_weight_files(target)
