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
    technique_features: Optional[torch.Tensor] = None  # [B, 2H] what the technique head reads, or None


class FramingModel(nn.Module):
    def __init__(
        self,
        classifier: PreTrainedModel,
        aux_num_labels: int = 0,
        dropout: float = 0.1,
        num_techniques: int = 0,
        technique_layers: int = 0,
        technique_hidden: int = 512,
    ):
        super().__init__()
        self.classifier = classifier  # e.g. BertForSequenceClassification
        hidden = classifier.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.word_head = nn.Linear(hidden, 1)
        self.aux_head = nn.Linear(hidden, aux_num_labels) if aux_num_labels else None
        self.technique_branch = (
            TechniqueBranch(classifier, num_techniques, technique_layers, technique_hidden) if num_techniques else None
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
        techniques = features = None
        if self.technique_branch is not None:
            entering = out.hidden_states[-1 - self.technique_branch.depth]  # [B, T, H]
            # called as a module (not its methods), so that the ONNX graph names its nodes under
            # /technique_branch/ (framing.onnx_build keeps its head out of int8 by that name)
            techniques, features = self.technique_branch(entering, attention_mask, self.classifier)  # [B, K], [B, 2H]
        return FramingOutput(
            logits=out.logits,
            word_logits=word_logits,
            aux_logits=aux_logits,
            technique_logits=techniques,
            technique_features=features,
        )


def technique_mlp(width: int, hidden: int, num_techniques: int) -> nn.Sequential:
    """Pooled features [B, width] -> technique logits [B, K]: a `hidden`-unit MLP (0: linear)."""
    if not hidden:
        return nn.Sequential(nn.Dropout(0.3), nn.Linear(width, num_techniques))
    return nn.Sequential(
        nn.Dropout(0.3), nn.Linear(width, hidden), nn.GELU(), nn.Dropout(0.3), nn.Linear(hidden, num_techniques)
    )


class TechniqueBranch(nn.Module):
    """Techniques from the hidden states entering the encoder's last `depth` layers, [B, T, H]:
    those layers copied (to be fine-tuned for techniques alone; depth 0, none: the encoder's own
    last states, at no extra compute), then the mean and the max of their output over the real
    tokens (the mean carries the passage's topic and tone, the max its most charged words),
    [B, 2H], and a small MLP (`hidden` units; 0: linear) -> [B, K] logits."""

    def __init__(self, classifier: PreTrainedModel, num_techniques: int, depth: int = 0, hidden: int = 512):
        super().__init__()
        encoder, width = encoder_of(classifier), 2 * classifier.config.hidden_size
        self.depth = depth
        shared = {id(classifier.config): classifier.config}  # the copies read the model's own config (attention kind)
        copied = encoder.layer[len(encoder.layer) - depth :]
        self.layers = nn.ModuleList(copy.deepcopy(layer, shared) for layer in copied)
        self.head = technique_mlp(width, hidden, num_techniques)

    @classmethod
    def head_alone(cls, width: int, num_techniques: int, hidden: int = 512) -> "TechniqueBranch":
        """The head without an encoder: trained on pooled features [N, width] that a graph gives
        (a checkpoint that ships only its ONNX graph, whose own branch does the pooling)."""
        branch = cls.__new__(cls)
        nn.Module.__init__(branch)
        branch.depth, branch.layers = 0, nn.ModuleList()
        branch.head = technique_mlp(width, hidden, num_techniques)
        return branch

    def forward(
        self, hidden: torch.Tensor, attention_mask: torch.Tensor, classifier: PreTrainedModel
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits [B, K] and the pooled features they come from [B, 2H]."""
        features = self.pooled(hidden, attention_mask, classifier)
        return self.head(features), features

    def pooled(self, hidden: torch.Tensor, attention_mask: torch.Tensor, classifier: PreTrainedModel) -> torch.Tensor:
        """The copied layers' output, mean- and max-pooled: [B, 2H]."""
        if len(self.layers):
            hidden = self._layers(hidden, attention_mask, classifier)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # [B, T, 1]
        largest = (hidden - (1.0 - mask) * 1e4).amax(dim=1)  # padding never the max
        return torch.cat([mean_pooled(hidden, attention_mask), largest], dim=-1)

    def _layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, classifier: PreTrainedModel) -> torch.Tensor:
        from transformers.masking_utils import create_bidirectional_mask

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
        return hidden

    def fold_standardization(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """Training fits the head on standardized features, (x - mean) / std: fold that into its
        first linear layer, so that the saved head reads the raw pooled features."""
        first = self.head[1]
        with torch.no_grad():
            first.bias -= first.weight @ (mean / std)
            first.weight /= std


def encoder_of(classifier: PreTrainedModel) -> nn.Module:
    """The transformer encoder (its `layer` list) inside a *ForSequenceClassification model."""
    return getattr(classifier, classifier.base_model_prefix).encoder


def mean_pooled(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of the hidden states [B, T, H] over each text's real tokens: [B, H]."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # [B, T, 1]
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
