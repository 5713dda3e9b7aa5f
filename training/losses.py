"""The training losses: the sentence label (hard, soft votes or multi-label), a teacher's
probabilities (KL), the per-token word head, the auxiliary head and, trained jointly, the
technique head, weighted per row."""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

from framing.model import FramingModel
from framing.training.config import Config
from framing.training.examples import IGNORE


def multitask_loss(
    model: FramingModel,
    batch: dict,
    config: Config,
    votes_for: Optional[int],
    class_weight: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    out = model(batch["input_ids"], batch["attention_mask"])
    if batch["labels"].ndim == 2:  # multi-label: an independent sigmoid per label, [B, C] targets
        loss = F.binary_cross_entropy_with_logits(out.logits, batch["labels"].float(), pos_weight=class_weight)
    else:
        loss = _sentence_loss(out.logits, batch, config, votes_for, class_weight)
    return loss + _auxiliary_losses(out, batch, config) + _technique_loss(out, batch, config)


def _sentence_loss(
    logits: torch.Tensor, batch: dict, config: Config, votes_for: Optional[int], class_weight: Optional[torch.Tensor]
) -> torch.Tensor:
    num_labels = logits.shape[-1]
    target = F.one_hot(batch["labels"], num_labels).float()  # [B, C]
    if "soft" in batch and config.train.soft_label_weight > 0:
        soft = torch.stack([1 - batch["soft"], batch["soft"]], dim=-1)  # [B, 2] as (other, votes_for)
        if votes_for == 0:
            soft = soft.flip(-1)
        target = (1 - config.train.soft_label_weight) * target + config.train.soft_label_weight * soft
    per_example = torch.sum(-target * F.log_softmax(logits, dim=-1), dim=-1)  # [B]
    weights = class_weight[batch["labels"]] if class_weight is not None else torch.ones_like(per_example)  # [B]
    if "weight" in batch:  # a mixed source's rows count at its weight
        weights = weights * batch["weight"]
    if "teacher" in batch:  # pool rows learn the teacher's distribution instead of a gold label
        pooled = ~torch.isnan(batch["teacher"][:, 0])  # [B]
        per_example = torch.where(
            pooled, _distill_loss(logits, batch["teacher"], config.distill.temperature), per_example
        )
        weights = torch.where(pooled, torch.full_like(weights, config.distill.weight), weights)
    # technique rows weigh 0 here, and a batch may hold nothing else: 0, not 0 / 0
    return (per_example * weights).sum() / weights.sum().clamp_min(1e-8)


def _distill_loss(logits: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Per-row KL(teacher_T || student_T) * T**2, [B]; NaN teacher rows give 0 (masked by the caller).
    The teacher's probabilities are calibrated, so their logs serve as its logits."""
    teacher = torch.nan_to_num(teacher, nan=0.5).clamp_min(1e-6)
    target = F.softmax(torch.log(teacher) / temperature, dim=-1)  # [B, C]
    log_student = F.log_softmax(logits / temperature, dim=-1)
    return torch.sum(target * (torch.log(target) - log_student), dim=-1) * temperature**2


def _auxiliary_losses(out, batch: dict, config: Config) -> torch.Tensor:
    """The word head's per-token loss and the auxiliary label head's loss, as configured."""
    loss = out.logits.new_zeros(())
    if config.train.word_loss_weight > 0:
        valid = batch["word_targets"] != IGNORE  # [B, T]
        if valid.any():
            word_loss = F.binary_cross_entropy_with_logits(out.word_logits[valid], batch["word_targets"][valid].float())
            loss = loss + config.train.word_loss_weight * word_loss
    if out.aux_logits is not None and config.train.aux_loss_weight > 0 and "aux_labels" in batch:
        if (batch["aux_labels"] != IGNORE).any():
            loss = loss + config.train.aux_loss_weight * F.cross_entropy(
                out.aux_logits, batch["aux_labels"], ignore_index=IGNORE
            )
    return loss


def _technique_loss(out, batch: dict, config: Config) -> torch.Tensor:
    """Joint technique training: the technique head's BCE on the rows with technique targets
    (the others' are NaN), at `techniques.joint_weight`."""
    if "techniques" not in batch or out.technique_logits is None:
        return out.logits.new_zeros(())
    rows = ~torch.isnan(batch["techniques"][:, 0])  # [B]
    if not rows.any():
        return out.logits.new_zeros(())
    bce = F.binary_cross_entropy_with_logits(out.technique_logits[rows], batch["techniques"][rows])
    return config.techniques.joint_weight * bce


def balanced_weights(labels: np.ndarray, num_labels: int) -> torch.Tensor:
    """n / (classes * count) per class: scikit-learn's class_weight="balanced". For multi-label
    targets [N, C], each label's negatives / positives: BCE's pos_weight, which scikit-learn
    has no helper for."""
    if labels.ndim == 2:
        positives = labels.sum(axis=0).astype(float)
        return torch.tensor((len(labels) - positives) / np.maximum(positives, 1), dtype=torch.float32)
    present = np.unique(labels)
    # scikit-learn weighs the classes present; a label without training rows is never looked up
    # by the loss, so it gets n / classes, and the others are scaled to `num_labels` classes.
    weights = np.full(num_labels, len(labels) / num_labels)
    weights[present] = compute_class_weight("balanced", classes=present, y=labels) * (len(present) / num_labels)
    return torch.tensor(weights, dtype=torch.float32)
