"""The checkpoint folder: the unit that training writes and everything else loads.

    config.json, model.safetensors     standard Hugging Face sequence classifier (id2label)
    tokenizer files                     the tokenizer used in training
    framing_heads.safetensors           the extra heads of framing.model.FramingModel
    framing.json                        label mapping, calibration temperature, max length
    training_config.yaml                the resolved training config
    metrics.json, README.md             dev metrics and the model card

Reading the metadata and checking the files needs only the standard library; loading the
PyTorch model (training, `torch-fp32`) imports torch and transformers when called, so
predicting with an ONNX back end runs without them.

Writes are atomic: everything goes to a hidden temporary folder beside the target, which
is renamed into place only when complete (framing.output). Weights load from safetensors only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from framing.errors import FramingError, describe_invalid
from framing.hashing import sha256_of
from framing.output import atomic_file, atomic_folder
from framing.technique_lexicon import LEXICON_FILE
from framing.techniques import TechniqueHead

FORMAT_VERSION = 1
META_FILE = "framing.json"


# The shipped models, picked by name: `accurate` (all-mpnet-base-v2, 110M parameters, shipped
# as its int8 ONNX graph only), the default where people read one text or article at a time,
# and `fast` (MiniLM-L6, 22M), the default for corpora (`framing predict --input`). A wheel
# carries them inside the package (framing/checkpoints/); a source checkout keeps them in the
# repository's top-level checkpoints/ folder.
SHIPPED_MODELS = {"accurate": "babe-mpnet", "fast": "babe-minilm"}
DEFAULT_MODEL = "accurate"
CORPUS_MODEL = "fast"
_PACKAGE = Path(__file__).resolve().parent  # framing/


def shipped_checkpoint(name: str) -> Path:
    """The folder of shipped model `name` (a key of SHIPPED_MODELS)."""
    folders = [root / "checkpoints" / SHIPPED_MODELS[name] for root in (_PACKAGE, _PACKAGE.parent)]
    return next((folder for folder in folders if folder.is_dir()), folders[0])


def default_checkpoint(model: str = DEFAULT_MODEL) -> Path:
    """$FRAMING_CHECKPOINT if set, else shipped model `model`."""
    return Path(os.environ.get("FRAMING_CHECKPOINT", shipped_checkpoint(model)))


def locate_checkpoint(name: Optional[str | Path], default: str = DEFAULT_MODEL) -> Path:
    """A shipped model's name ("accurate", "fast"), a local folder as is (write "./fast" for a
    folder of that name), or an `owner/name` hub id, fetched; None: $FRAMING_CHECKPOINT or the
    `default` shipped model."""
    if name is None:
        folder = default_checkpoint(default)
        if not folder.is_dir():
            raise FramingError(
                f"{folder}: the default checkpoint is not there; reinstall framing, set "
                "FRAMING_CHECKPOINT, or pass a checkpoint folder"
            )
        return folder
    if str(name) in SHIPPED_MODELS:
        return shipped_checkpoint(str(name))
    path = Path(name)
    if path.exists() or str(name).startswith((".", "/", "~")) or str(name).count("/") != 1:
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id=str(name)))
    except Exception as error:  # offline, unknown repo, ...: one clear line
        raise FramingError(f"checkpoint '{name}': not a local folder and not fetched from the hub ({error})") from None


class RuntimeChoice(BaseModel):
    """The back end `framing export` chose, and what it measured to choose it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    tolerance: Optional[float] = None  # largest dev macro-F1 loss allowed against fp32
    batch_invariance: Optional[float] = None  # largest batch-company change allowed
    measured_on: Optional[str] = None
    measured: dict[str, dict[str, float]] = Field(default_factory=dict)


class CalibrationFit(BaseModel):
    """Where a checkpoint's calibration was last fitted by `framing calibrate`, and what it did
    there (macro-F1 and ECE with the calibration it replaced, uncalibrated and after, through
    `runtime`). `before` is the replaced calibration's: a second refit on the same data shows
    before = after, and `uncalibrated` (temperature 1, no bias) stays the fixed reference."""

    model_config = ConfigDict(extra="forbid")
    data: str
    sha256: Optional[str] = None  # of a local data file
    label_column: str
    n: int
    runtime: str
    bias: bool  # whether a per-label bias was fitted beside the temperature
    before: dict[str, float] = Field(default_factory=dict)
    uncalibrated: dict[str, float] = Field(default_factory=dict)  # empty in checkpoints calibrated before it existed
    after: dict[str, float] = Field(default_factory=dict)
    # fitted on several label columns at once: all of them (label_column first) and each one's figures
    label_columns: list[str] = Field(default_factory=list)
    by_label_column: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # where the data marked words: the words column, the label column whose rows were scored and
    # their number, and word precision, recall, F1 and threshold at the replaced word threshold
    # ("before") and at the refitted one ("after"); {} otherwise
    words: dict[str, Any] = Field(default_factory=dict)
    # bootstrap 95% intervals of the fitted temperature and biases (training/calibration.py)
    uncertainty: dict[str, Any] = Field(default_factory=dict)


class CheckpointMeta(BaseModel):
    """framing.json: the contract between training, which writes it, and the predictor,
    which reads it. Unknown keys are refused by name; `format` versions the contract (a
    checkpoint of another format is refused with a clear error: no migration exists yet,
    as format 1 is the only one released)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal[1] = FORMAT_VERSION
    weights_dtype: str = "float16"
    framing_version: Optional[str] = None  # the version that trained it
    labels: list[str] = Field(min_length=1)  # output order of the sentence head
    label_mapping: dict[str, str] = Field(default_factory=dict)  # raw data label -> label name
    drop_labels: list[str] = Field(default_factory=list)  # raw labels left out of training and evaluation
    aux_labels: list[str] = Field(default_factory=list)  # the auxiliary head's labels, if any
    max_length: int = Field(128, ge=1)  # tokens read per text
    temperature: float = Field(1.0, gt=0)  # calibration: logits are divided by it
    logit_bias: list[float] = Field(default_factory=list)  # calibration: then one added per label ([]: none)
    calibration: Optional[CalibrationFit] = None  # set by `framing calibrate` (training fits on its dev split)
    word_threshold: float = 0.5  # a word is highlighted at this word-head probability
    multi_label: bool = False
    label_separator: str = "|"  # multi-label: raw labels joined in one CSV cell
    thresholds: dict[str, float] = Field(default_factory=dict)  # multi-label: per-label decision thresholds
    flag_label: Optional[str] = None  # the label article analysis counts (default: the last)
    runtime: Optional[RuntimeChoice] = None  # set by `framing export`
    # set by `framing package`: the folder holds `runtime`'s ONNX graph and no PyTorch weights
    # (all-mpnet-base-v2's fp16 weights are 219 MB beside its 111 MB int8 graph), so it
    # predicts, analyzes and serves, but cannot be trained on (bar its technique head: `framing
    # techniques` retrains that on the graph's features), exported or run in fp32
    onnx_only: bool = False
    # whether training taught the word head (a words column and a positive word loss weight):
    # an untrained head marks no word anywhere; None (older checkpoints): read training_config.yaml
    word_head: Optional[bool] = None
    techniques: Optional[TechniqueHead] = None  # the persuasion technique head, if trained

    @model_validator(mode="after")
    def _names_are_labels(self) -> "CheckpointMeta":
        """Every key that names a label names one of `labels` (a typo surfaced as a KeyError later)."""
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"labels: a name appears twice in {self.labels}")
        if self.onnx_only and self.runtime is None:
            raise ValueError("onnx_only: a checkpoint without PyTorch weights must name its ONNX back end (runtime)")
        if self.logit_bias and len(self.logit_bias) != len(self.labels):
            raise ValueError(f"logit_bias has {len(self.logit_bias)} values for {len(self.labels)} labels")
        named = [
            ("flag_label", [self.flag_label] if self.flag_label is not None else []),
            ("thresholds", list(self.thresholds)),
            ("label_mapping", list(self.label_mapping.values())),
        ]
        for key, names in named:
            unknown = [name for name in names if name not in self.labels]
            if unknown:
                raise ValueError(f"{key}: {unknown[0]!r} is not one of the labels ({', '.join(self.labels)})")
        return self

    def to_json(self) -> str:
        return json.dumps(self.model_dump(exclude_none=True), indent=2, ensure_ascii=False) + "\n"


def parse_meta(values: dict[str, Any], source: str = META_FILE) -> CheckpointMeta:
    if values.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        raise FramingError(
            f"{source}: checkpoint format {values.get('format')!r} is not {FORMAT_VERSION}; this "
            f"version of framing reads format {FORMAT_VERSION} only"
        )
    try:
        return CheckpointMeta.model_validate(values)
    except ValidationError as error:
        raise FramingError(describe_invalid(error.errors(), source)) from None


HEADS_FILE = "framing_heads.safetensors"
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", META_FILE, HEADS_FILE)
WEIGHT_FILES = ("model.safetensors", HEADS_FILE)
ONNX_FILES = {"onnx-fp32": "model.onnx", "onnx-int8": "model.int8.onnx", "onnx-int8-full": "model.int8-full.onnx"}
ONNX_DATA_SUFFIX = ".data"  # an ONNX graph's weights beside it: model.int8-full.onnx.data-0, -1, ...


def onnx_weight_files(graph: Path) -> list[Path]:
    """An ONNX graph and the external weight files written beside it, in order."""
    shards = sorted(graph.parent.glob(f"{graph.name}{ONNX_DATA_SUFFIX}-*"), key=lambda p: int(p.name.rsplit("-", 1)[1]))
    return [graph, *shards]


def save_checkpoint(
    target: str | Path,
    model,
    tokenizer,
    meta: CheckpointMeta,
    text_files: dict[str, str],
    overwrite: bool = False,
    dtype=None,
) -> Path:
    """Write a complete checkpoint folder atomically from a framing.model.FramingModel and
    its transformers tokenizer; weights are stored in `dtype` (default float16)."""
    import torch
    from safetensors.torch import save_file

    dtype = dtype or torch.float16
    with atomic_folder(target, overwrite, kind="checkpoint") as staging:
        state = {k: v.detach().to(dtype).contiguous() for k, v in model.classifier.state_dict().items()}
        model.classifier.save_pretrained(staging, state_dict=state, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        heads = {
            f"{name}.{key}": value.detach().to(dtype).contiguous()
            for name, head in model.extra_heads().items()
            for key, value in head.state_dict().items()
        }
        save_file(heads, str(staging / HEADS_FILE))
        stored = meta.model_copy(update={"weights_dtype": str(dtype).removeprefix("torch.")})
        (staging / META_FILE).write_text(stored.to_json(), encoding="utf-8")
        for name, content in text_files.items():
            (staging / name).write_text(content, encoding="utf-8")
    return Path(target)


def update_meta(folder: str | Path, changes: dict[str, Any]) -> CheckpointMeta:
    """Merge `changes` into a checkpoint's framing.json (checked against the contract),
    atomically (write, then rename)."""
    folder = Path(folder)
    meta = parse_meta({**read_meta(folder).model_dump(exclude_none=True), **changes}, str(folder / META_FILE))
    with atomic_file(folder / META_FILE) as staging:
        staging.write_text(meta.to_json(), encoding="utf-8")
    return meta


def read_meta(folder: Path) -> CheckpointMeta:
    try:
        values = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise FramingError(f"{folder / META_FILE}: unreadable checkpoint metadata ({error})") from None
    if not isinstance(values, dict):
        raise FramingError(f"{folder / META_FILE}: checkpoint metadata is not a JSON object")
    return parse_meta(values, str(folder / META_FILE))


def check_folder(folder: Path) -> CheckpointMeta:
    """The checkpoint's metadata, after checking that every file it needs is there."""
    if not folder.is_dir():
        raise FramingError(f"{folder}: checkpoint folder not found")
    if not (folder / META_FILE).is_file():
        raise FramingError(f"{folder}: not a framing checkpoint (no {META_FILE})")
    meta = read_meta(folder)
    required = [name for name in REQUIRED_FILES if name != "model.safetensors"] if meta.onnx_only else REQUIRED_FILES
    if meta.techniques is not None and meta.techniques.lexical_weight > 0:
        required = [*required, LEXICON_FILE]
    missing = [name for name in required if not (folder / name).is_file()]
    if meta.onnx_only:
        graph = ONNX_FILES.get(meta.runtime.name, "")
        missing += [] if graph and (folder / graph).is_file() else [graph or f"an ONNX file ({meta.runtime.name})"]
    if missing:
        raise FramingError(f"{folder}: corrupt checkpoint: missing {', '.join(missing)}")
    check_against_model(folder, meta)
    return meta


# Models whose position ids start after the padding id (RoBERTa's create_position_ids_from_input_ids)
OFFSET_POSITIONS = ("roberta", "xlm-roberta", "camembert", "mpnet", "longformer")


def check_against_model(folder: Path, meta: CheckpointMeta) -> None:
    """framing.json agrees with the model it describes (config.json): as many labels as the
    head has outputs, in its id2label order, and no more tokens than it has positions."""
    source = folder / META_FILE
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise FramingError(f"{folder / 'config.json'}: unreadable model config ({error})") from None
    id2label = config.get("id2label") or {}
    outputs = len(id2label) or config.get("num_labels")
    if outputs and outputs != len(meta.labels):
        raise FramingError(
            f"{source}: labels: {len(meta.labels)} names for a model with {outputs} outputs (config.json id2label)"
        )
    names = [id2label.get(str(i), id2label.get(i)) for i in range(len(id2label))]
    if names != meta.labels and not all(str(n).startswith("LABEL_") for n in names):  # LABEL_i: unnamed
        raise FramingError(
            f"{source}: labels: {meta.labels} are not the model's outputs in order {names} (config.json id2label)"
        )
    positions = config.get("max_position_embeddings")
    if isinstance(positions, int):
        if config.get("model_type") in OFFSET_POSITIONS:
            positions -= (config.get("pad_token_id") or 0) + 1
        if meta.max_length > positions:
            raise FramingError(
                f"{source}: max_length: {meta.max_length} tokens is more than the model's {positions} "
                f"positions (config.json max_position_embeddings)"
            )


def weights_digest(folder: Path) -> str:
    """sha256 over the checkpoint's weight files: what an ONNX file was built from. A folder
    without PyTorch weights (onnx_only) is hashed over the ONNX graph it runs and its heads."""
    if (folder / "model.safetensors").is_file():
        return sha256_of(*(folder / name for name in WEIGHT_FILES))
    graphs = sorted(folder.glob("model*.onnx"))
    return sha256_of(*(path for graph in graphs for path in onnx_weight_files(graph)), folder / HEADS_FILE)


def is_current(onnx_file: Path, folder: Path, digest: Optional[str] = None) -> bool:
    """Whether `onnx_file` exists and was built from the weights now in `folder` (a file left
    from older weights, e.g. after a git pull of a new model, is not). `digest`: the folder's
    weights_digest, when the caller has it already (it reads every weight byte)."""
    stamp = onnx_file.with_name(onnx_file.name + ".sha256")
    if not (onnx_file.is_file() and stamp.is_file()):
        return False
    return stamp.read_text().strip() == (digest or weights_digest(folder))


def load_checkpoint(folder: str | Path, attn_implementation: Optional[str] = None):
    """Load a checkpoint folder in float32 for CPU inference, in eval mode: returns
    (framing.model.FramingModel, transformers tokenizer, metadata). Needs the `train` extra."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from framing.model import FramingModel

    folder = Path(folder)
    meta = check_folder(folder)
    if meta.onnx_only:
        raise FramingError(
            f"{folder} ships only its {meta.runtime.name} ONNX graph, no PyTorch weights: it predicts "
            f"but cannot be trained on, exported or run with --fp32"
        )
    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a load is not long work: no "Loading weights" bar
    hf_logging.set_verbosity_error()  # nor load reports on the user's terminal
    try:
        options = {"attn_implementation": attn_implementation} if attn_implementation else {}
        classifier = AutoModelForSequenceClassification.from_pretrained(
            folder, dtype=torch.float32, use_safetensors=True, **options
        )
        tokenizer = AutoTokenizer.from_pretrained(folder)
        heads = load_file(str(folder / HEADS_FILE))
    except Exception as error:  # corrupt or truncated files surface as many exception types
        raise FramingError(f"{folder}: corrupt checkpoint ({type(error).__name__}: {_first_line(error)})") from None
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
    head = meta.techniques
    model = FramingModel(
        classifier,
        aux_num_labels=len(meta.aux_labels),
        num_techniques=len(head.labels) if head else 0,
        technique_layers=head.layers if head else 0,
        technique_hidden=head.hidden if head else 0,
    )
    for name, head in model.extra_heads().items():
        prefix = f"{name}."
        state = {k[len(prefix) :]: v.float() for k, v in heads.items() if k.startswith(prefix)}
        try:
            head.load_state_dict(state)
        except RuntimeError as error:
            raise FramingError(f"{folder / HEADS_FILE}: {name} does not match ({_first_line(error)})") from None
    model.eval()
    return model, tokenizer, meta


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
