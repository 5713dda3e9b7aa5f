"""The network: a standard Hugging Face sequence classifier plus two small extra heads.

The sentence head is the encoder's own `*ForSequenceClassification` head, so a checkpoint
folder also loads with plain `AutoModelForSequenceClassification.from_pretrained`. The
extra heads read the encoder's last hidden states in the same forward pass:
- `word_head` scores each token for carrying the judgement (trained on marked words);
- `aux_head` predicts a second label from the first token (e.g. BABE's opinion scale).
They are saved beside the standard weights (see framing.checkpoint). No I/O here.
"""

from __future__ import annotations

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


class FramingModel(nn.Module):
    def __init__(self, classifier: PreTrainedModel, aux_num_labels: int = 0, dropout: float = 0.1):
        super().__init__()
        self.classifier = classifier  # e.g. BertForSequenceClassification
        hidden = classifier.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.word_head = nn.Linear(hidden, 1)
        self.aux_head = nn.Linear(hidden, aux_num_labels) if aux_num_labels else None

    @property
    def config(self):
        return self.classifier.config

    def extra_heads(self) -> dict[str, nn.Module]:
        heads = {"word_head": self.word_head}
        if self.aux_head is not None:
            heads["aux_head"] = self.aux_head
        return heads

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **encoder_inputs) -> FramingOutput:
        # input_ids, attention_mask: [B, T]
        out = self.classifier(
            input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True, **encoder_inputs
        )
        last = self.dropout(out.hidden_states[-1])  # [B, T, H]
        word_logits = self.word_head(last).squeeze(-1)  # [B, T]
        aux_logits = self.aux_head(last[:, 0]) if self.aux_head is not None else None  # [B, A]
        return FramingOutput(logits=out.logits, word_logits=word_logits, aux_logits=aux_logits)
