"""The network: a standard Hugging Face sequence classifier plus small extra heads.

The sentence head is the encoder's own `*ForSequenceClassification` head, so a checkpoint
folder also loads with plain `AutoModelForSequenceClassification.from_pretrained`. The
extra heads read the encoder's last hidden states in the same forward pass:
- `word_head` scores each token for carrying the judgement (trained on marked words);
- `aux_head` predicts a second label from the first token (e.g. BABE's opinion scale);
- `technique_branch` scores each persuasion technique (multi-label): a copy of the encoder's
  last layer(s), fine-tuned apart on the hidden states that enter them, then the masked mean
  of its output (the pooling the sentence-transformers encoders were trained with) and a
  linear layer. The shared layers and the other heads never change for it, so adding
  techniques leaves every other output as it was.
They are saved beside the standard weights (see framing.checkpoint). No I/O here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn
from transformers import PreTrainedModel


@dataclass
class FramingOutput:
    logits: torch.Tensor  # [B, C] sentence label logits
    word_logits: torch.Tensor  # [B, T] per-token logit of carrying the judgement
    aux_logits: Optional[torch.Tensor]  # [B, A] auxiliary label logits, or None
    technique_logits: Optional[torch.Tensor] = None  # [B, K] one logit per technique, or None


class FramingModel(nn.Module):
    def __init__(
        self,
        classifier: PreTrainedModel,
        aux_num_labels: int = 0,
        dropout: float = 0.1,
        num_techniques: int = 0,
        technique_layers: int = 1,
    ):
        super().__init__()
        self.classifier = classifier  # e.g. BertForSequenceClassification
        hidden = classifier.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.word_head = nn.Linear(hidden, 1)
        self.aux_head = nn.Linear(hidden, aux_num_labels) if aux_num_labels else None
        self.technique_branch = (
            TechniqueBranch(classifier, num_techniques, technique_layers) if num_techniques else None
        )

    @property
    def config(self):
        return self.classifier.config

    def extra_heads(self) -> dict[str, nn.Module]:
        heads = {"word_head": self.word_head}
        if self.aux_head is not None:
            heads["aux_head"] = self.aux_head
        if self.technique_branch is not None:
            heads["technique_branch"] = self.technique_branch
        return heads

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **encoder_inputs) -> FramingOutput:
        # input_ids, attention_mask: [B, T]
        out = self.classifier(
            input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True, **encoder_inputs
        )
        last = self.dropout(out.hidden_states[-1])  # [B, T, H]
        word_logits = self.word_head(last).squeeze(-1)  # [B, T]
        aux_logits = self.aux_head(last[:, 0]) if self.aux_head is not None else None  # [B, A]
        techniques = None
        if self.technique_branch is not None:
            entering = out.hidden_states[-1 - self.technique_branch.depth]  # [B, T, H]
            techniques = self.technique_branch(entering, attention_mask, self.classifier)  # [B, K]
        return FramingOutput(
            logits=out.logits, word_logits=word_logits, aux_logits=aux_logits, technique_logits=techniques
        )


class TechniqueBranch(nn.Module):
    """The last `depth` encoder layers, copied to be fine-tuned for techniques alone, and a
    linear layer over their mean-pooled output: [B, T, H] hidden states -> [B, K] logits. With
    depth 0 the linear layer reads the encoder's last hidden states: no extra compute."""

    def __init__(self, classifier: PreTrainedModel, num_techniques: int, depth: int = 1):
        super().__init__()
        encoder = encoder_of(classifier)
        self.depth = depth
        shared = {id(classifier.config): classifier.config}  # the copies read the model's own config (attention kind)
        copied = encoder.layer[len(encoder.layer) - depth :]  # depth 0: none, a linear layer on the last states
        self.layers = nn.ModuleList(copy.deepcopy(layer, shared) for layer in copied)
        self.head = nn.Linear(classifier.config.hidden_size, num_techniques)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor, classifier: PreTrainedModel) -> torch.Tensor:
        from transformers.masking_utils import create_bidirectional_mask

        if not len(self.layers):
            return self.head(mean_pooled(hidden, attention_mask))
        encoder = encoder_of(classifier)
        mask = create_bidirectional_mask(config=classifier.config, inputs_embeds=hidden, attention_mask=attention_mask)
        # MPNet's layers add a relative position bias, computed once per forward pass by its encoder
        extra = (
            {"position_bias": encoder.compute_position_bias(hidden)}
            if hasattr(encoder, "compute_position_bias")
            else {}
        )
        for layer in self.layers:
            out = layer(hidden, mask, **extra)
            hidden = out[0] if isinstance(out, tuple) else out  # [B, T, H]
        return self.head(mean_pooled(hidden, attention_mask))  # [B, K]


def encoder_of(classifier: PreTrainedModel) -> nn.Module:
    """The transformer encoder (its `layer` list) inside a *ForSequenceClassification model."""
    return getattr(classifier, classifier.base_model_prefix).encoder


def mean_pooled(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of the hidden states [B, T, H] over each text's real tokens: [B, H]."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # [B, T, 1]
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
