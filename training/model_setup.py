"""The model to fine-tune: the base encoder with framing's heads, optionally cut to some of
its layers, and its optimiser with layer-wise learning-rate decay."""

from __future__ import annotations

import re

import torch
from transformers import AutoModelForSequenceClassification

from framing.errors import FramingError
from framing.model import FramingModel
from framing.training.config import Config


def layer_of(name: str, num_layers: int) -> int:
    """0 for embeddings, i+1 for encoder layer i, num_layers+1 for pooler and heads."""
    if "embeddings" in name:
        return 0
    found = re.search(r"layers?\.(\d+)\.", name)
    return int(found.group(1)) + 1 if found else num_layers + 1


def make_optimizer(model: FramingModel, config: Config, lr: float) -> torch.optim.Optimizer:
    train = config.train
    num_layers = model.config.num_hidden_layers
    groups: dict[tuple[int, bool], list] = {}
    for name, param in model.named_parameters():
        depth = layer_of(name, num_layers)
        no_decay = param.ndim == 1  # biases and LayerNorm weights
        groups.setdefault((depth, no_decay), []).append(param)
    param_groups = []
    for (depth, no_decay), params in sorted(groups.items()):
        group_lr = lr * train.layer_decay ** (num_layers + 1 - depth)
        if depth == num_layers + 1:
            group_lr = lr * train.head_lr_multiplier
        param_groups.append({"params": params, "lr": group_lr, "weight_decay": 0.0 if no_decay else train.weight_decay})
    return torch.optim.AdamW(param_groups)


def build_model(config: Config, base_path: str, joint_techniques: int = 0) -> FramingModel:
    """The base encoder with framing's heads; with `joint_techniques` (K > 0), also a technique
    head on its last states (config.techniques' hidden units) for joint training."""
    names = config.data.label_names
    classifier = AutoModelForSequenceClassification.from_pretrained(
        base_path,
        num_labels=len(names),
        id2label=dict(enumerate(names)),
        label2id={n: i for i, n in enumerate(names)},
        hidden_dropout_prob=config.model.dropout,
        dtype=torch.float32,
        use_safetensors=True,
        ignore_mismatched_sizes=True,  # a base that is itself a classifier gets a fresh head of our size
        # tells plain transformers users (and pipelines) to apply a sigmoid, not a softmax
        problem_type="multi_label_classification" if config.data.multi_label else "single_label_classification",
    )
    if config.model.keep_layers:
        keep_encoder_layers(classifier, config.model.keep_layers)
    return FramingModel(
        classifier,
        aux_num_labels=len(config.data.aux_label_names),
        dropout=config.model.dropout,
        num_techniques=joint_techniques,
        technique_hidden=config.techniques.hidden if config.techniques else 0,
    )


def keep_encoder_layers(classifier, keep: list[int]) -> None:
    """Cut the encoder down to the layers `keep` (in order), so the model saves and exports
    as a plain model of that depth; embeddings, pooler and head are the base's."""
    encoder = classifier.base_model.encoder
    layers = encoder.layer
    if keep[-1] >= len(layers):
        raise FramingError(
            f"model.keep_layers {keep}: the base model has {len(layers)} encoder layers (0 to {len(layers) - 1})"
        )
    encoder.layer = torch.nn.ModuleList([layers[i] for i in keep])
    classifier.config.num_hidden_layers = len(keep)
