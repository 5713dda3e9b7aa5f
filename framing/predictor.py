"""FramingClassifier: the one predictor every surface calls (Python, CLI, evaluation).

Results follow `transformers.pipeline("text-classification")`: a string gives
`{"label", "score"}`, a list gives a list of those, and `top_k=None` gives every label
with its probability, best first. Probabilities are calibrated: logits are divided by the
temperature fitted on the dev split and stored in the checkpoint.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch

from framing.checkpoint import load_checkpoint
from framing.errors import FramingError

SHIPPED_CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "babe-minilm"


def default_checkpoint() -> Path:
    """$FRAMING_CHECKPOINT if set, else the checkpoint shipped in this repository."""
    return Path(os.environ.get("FRAMING_CHECKPOINT", SHIPPED_CHECKPOINT))


def locate_checkpoint(name: Optional[str | Path]) -> Path:
    """A local folder as is; anything else that looks like `owner/name` is fetched from the hub."""
    if name is None:
        return default_checkpoint()
    path = Path(name)
    if path.exists() or str(name).startswith((".", "/", "~")) or str(name).count("/") != 1:
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id=str(name)))
    except Exception as error:  # offline, unknown repo, ...: one clear line
        raise FramingError(f"checkpoint '{name}': not a local folder and not fetched from the hub ({error})") from None


TextInput = Union[str, Sequence[str]]


class FramingClassifier:
    def __init__(self, model, tokenizer, meta: dict[str, Any], batch_size: int = 32,
                 source: Optional[str | Path] = None):
        self.model = model.eval()
        self.source = source  # the checkpoint folder, when loaded from one
        self.tokenizer = tokenizer
        self.meta = meta
        self.batch_size = batch_size
        self.temperature = float(meta.get("temperature", 1.0))
        self.max_length = int(meta.get("max_length", 128))

    @classmethod
    def from_pretrained(cls, checkpoint: Optional[str | Path] = None, **kwargs) -> "FramingClassifier":
        """Load a checkpoint folder or hub id; with no argument, the shipped BABE model."""
        folder = locate_checkpoint(checkpoint)
        model, tokenizer, meta = load_checkpoint(folder)
        return cls(model, tokenizer, meta, source=folder, **kwargs)

    @property
    def labels(self) -> list[str]:
        return list(self.meta["labels"])

    def __call__(self, inputs: TextInput, top_k: Optional[int] = 1) -> Any:
        single = isinstance(inputs, str)
        texts = [inputs] if single else inputs
        probabilities = self.predict_proba(texts)
        results = [self._format(row, top_k) for row in probabilities]
        return results[0] if single else results

    def _format(self, row: np.ndarray, top_k: Optional[int]) -> Any:
        order = np.argsort(-row)
        ranked = [{"label": self.labels[i], "score": float(row[i])} for i in order]
        if top_k == 1:
            return ranked[0]
        return ranked if top_k is None else ranked[:top_k]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, [N, C] in the order of `self.labels`."""
        logits = torch.from_numpy(self.logits(texts))
        return torch.softmax(logits / self.temperature, dim=-1).numpy()

    @torch.inference_mode()
    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated sentence logits, [N, C], in input order.

        Texts are tokenized once, then run in batches sorted by length so that each batch
        is padded only to its own longest text.
        """
        texts = validate_texts(texts)
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        encoded = self.tokenizer(texts, truncation=True, max_length=self.max_length)
        order = sorted(range(len(texts)), key=lambda i: len(encoded["input_ids"][i]))
        out = np.empty((len(texts), len(self.labels)), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch_ids = order[start : start + self.batch_size]
            features = [{key: encoded[key][i] for key in encoded.keys()} for i in batch_ids]
            batch = self.tokenizer.pad(features, return_tensors="pt")
            out[batch_ids] = self.model.classifier(**batch).logits.float().numpy()  # [b, C]
        return out


def validate_texts(texts: Any) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise FramingError(f"expected a string or a list of strings, got {type(texts).__name__}")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise FramingError(f"text {index}: expected a string, got {type(text).__name__}")
        if not text.strip():
            raise FramingError(f"text {index}: empty text")
    return list(texts)
