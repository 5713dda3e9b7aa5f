"""`framing techniques`: a checkpoint with a technique head added, everything else as it was.

    framing techniques CHECKPOINT --config configs/techniques_semeval.yaml --output NEW_FOLDER

Reads the config's `techniques:` section (training/technique_data.py), trains the branch on the
frozen encoder (training/technique_head.py), writes the new checkpoint (same weights and
files, the branch added to framing_heads.safetensors), rebuilds the ONNX back end the
checkpoint names, fits the branch's calibration and thresholds on dev through that back end,
and records the head, its dev figures and its data in framing.json, the training config and
the model card. The source folder is never written to.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Optional

import yaml
from pydantic import ValidationError

from framing.checkpoint import (
    HEADS_FILE,
    META_FILE,
    WEIGHT_FILES,
    check_folder,
    load_checkpoint,
    save_checkpoint,
    update_meta,
)
from framing.errors import FramingError, describe_invalid
from framing.model import TechniqueBranch
from framing.output import atomic_folder
from framing.predictor import FramingClassifier
from framing.runtime import drop_onnx_cache
from framing.techniques import TechniqueHead
from framing.training.config import Config, TechniqueConfig, config_from_dict, section_keys
from framing.training.config_files import apply_override, portable_path, read_config_file
from framing.training.model_card import refresh_model_card
from framing.training.technique_data import technique_data
from framing.training.technique_head import entering_states, fitted_head, fitted_lexicon, train_branch, train_head

KEPT_AS_IS = ("config.json", "model.safetensors", HEADS_FILE, META_FILE, "tokenizer.json", "tokenizer_config.json")


def technique_config(path: str | Path, overrides: Optional[list[str]] = None) -> TechniqueConfig:
    """The `techniques:` section of a training config file (with `overrides` applied): of a whole
    config, whose other sections are not used here, or of a file that holds that section alone."""
    raw = read_config_file(Path(path), section_keys(Config))
    for assignment in overrides or []:
        apply_override(raw, assignment)
    if not raw.get("techniques"):
        raise FramingError(f"{path}: no `techniques:` section")
    if "data" in raw:
        return config_from_dict(raw, str(path)).techniques
    try:
        return TechniqueConfig.model_validate(raw["techniques"])
    except ValidationError as error:  # named as in a whole config: techniques.<key>
        errors = [{**problem, "loc": ("techniques", *problem["loc"])} for problem in error.errors()]
        raise FramingError(describe_invalid(errors, str(path))) from None


def add_techniques(
    checkpoint: str | Path, config: TechniqueConfig, output: str | Path, overwrite: bool = False
) -> dict:
    """Write `output`: `checkpoint` with a technique head trained by `config`. Returns the dev figures."""
    source = Path(checkpoint)
    checked = check_folder(source)
    if checked.onnx_only:  # no encoder to run: the head is retrained on its graph's features
        from framing.training.graph_technique_head import add_techniques_to_graph

        return add_techniques_to_graph(source, checked, config, output, overwrite)
    model, tokenizer, meta = load_checkpoint(source)
    data = technique_data(config)
    # a TF-IDF model whose logits are mixed into the head's (framing.technique_lexicon)
    lexicon = fitted_lexicon(data.texts[0], data.train_targets, str(config.train)) if config.lexical_weight else None
    model.technique_branch = TechniqueBranch(model.classifier, len(data.labels), config.layers, config.hidden)
    head = TechniqueHead(
        labels=data.labels, layers=config.layers, hidden=config.hidden, lexical_weight=config.lexical_weight
    )
    meta = meta.model_copy(update={"techniques": head})
    files = checkpoint_text_files(source, config)
    with staging_checkpoint(output) as staged:
        if config.layers:  # copied layers learn on the fp32 states entering them
            states = [entering_states(model, tokenizer, texts, config.layers, meta.max_length) for texts in data.texts]
            history = train_branch(model, states[0], data.train_targets, states[1], data.dev_targets, config)
        else:  # the head alone learns on the features its back end gives (int8 shifts them)
            encoder = _stage(staged, model, tokenizer, meta, files, lexicon)  # the pooled states need no head
            features = [encoder.forward_techniques(texts, FEATURES) for texts in data.texts]
            history = train_head(
                model.technique_branch, features[0], data.train_targets, features[1], data.dev_targets, config
            )
        classifier = _stage(staged, model, tokenizer, meta, files, lexicon)
        head, figures = fitted_head(classifier.forward_techniques(data.dev_texts), data, config)
        refresh_model_card(staged, update_meta(staged, {"techniques": head.model_dump()}))
        with atomic_folder(output, overwrite, kind="checkpoint") as target:
            shutil.copytree(staged, target, dirs_exist_ok=True)
    return {"labels": data.labels, "folded": data.folded, "rounds": history, "dev": figures}


FEATURES = "technique_features"


@contextlib.contextmanager
def staging_checkpoint(output: str | Path) -> Iterator[Path]:
    """A scratch checkpoint folder beside `output`, removed after with what loading it put in
    $FRAMING_CACHE (on a CPU whose int8 kernel saturates, a re-expressed copy of its graph)."""
    with tempfile.TemporaryDirectory(prefix=".techniques-", dir=Path(output).resolve().parent) as scratch:
        staged = Path(scratch) / "checkpoint"
        try:
            yield staged
        finally:
            drop_onnx_cache(staged)


def _stage(staged: Path, model, tokenizer, meta, files: dict[str, str], lexicon=None) -> FramingClassifier:
    """The checkpoint as it stands, written to `staged` with its back end rebuilt: its predictor."""
    save_checkpoint(staged, model, tokenizer, meta, files, overwrite=True, dtype=_dtype(meta))
    if lexicon is not None:
        lexicon.save(staged)
    if meta.runtime is not None:
        from framing.onnx_build import export_onnx

        export_onnx(staged, which=(meta.runtime.name,))
    return FramingClassifier.from_pretrained(staged)


def _dtype(meta):
    import torch

    return getattr(torch, meta.weights_dtype, torch.float16)


def checkpoint_text_files(source: Path, config: TechniqueConfig) -> dict[str, str]:
    """The checkpoint's own text files, with the techniques section added to its training config."""
    files = {
        path.name: path.read_text(encoding="utf-8")
        for path in source.iterdir()
        if path.is_file()
        and path.suffix in (".md", ".json", ".yaml")
        and path.name not in KEPT_AS_IS
        and path.name not in WEIGHT_FILES
    }
    if "training_config.yaml" in files:  # the rest as written, so its data paths stay portable
        raw = yaml.safe_load(files["training_config.yaml"]) or {}
        section = config.model_dump(mode="json")
        section.update(train=portable_path(config.train), dev=portable_path(config.dev) if config.dev else None)
        raw["techniques"] = section
        files["training_config.yaml"] = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    return files
