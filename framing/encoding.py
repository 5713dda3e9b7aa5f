"""Turning texts into model inputs with the checkpoint's own tokenizer, without transformers.

A checkpoint's `tokenizer.json` is a Hugging Face `tokenizers` file: the same Rust tokenizer
that `transformers.AutoTokenizer` wraps, so the ids are identical; loading it directly keeps
predicting free of the training stack (transformers, torch). Padding is done here, in numpy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from tokenizers import Encoding, Tokenizer

from framing.errors import FramingError


class TextEncoder:
    """Tokenizes texts (truncated to `max_length` tokens, special tokens added) and pads
    batches on the right with `pad_id`."""

    def __init__(self, tokenizer: Tokenizer, max_length: int, pad_id: int):
        self.full = tokenizer  # no truncation: for counting tokens
        self.full.no_truncation()
        self.full.no_padding()
        self.truncating = Tokenizer.from_str(tokenizer.to_str())
        self.truncating.enable_truncation(max_length)
        self.max_length = max_length
        self.pad_id = pad_id

    @classmethod
    def from_folder(cls, folder: Path, max_length: int) -> "TextEncoder":
        path = folder / "tokenizer.json"
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as error:  # missing or malformed: the Rust side raises plain Exception
            raise FramingError(f"{folder}: corrupt checkpoint: cannot read tokenizer.json ({error})") from None
        pad_token = _pad_token(folder / "tokenizer_config.json")
        pad_id = tokenizer.token_to_id(pad_token)
        if pad_id is None:
            raise FramingError(f"{path}: the padding token {pad_token!r} is not in the vocabulary")
        return cls(tokenizer, max_length, pad_id)

    @classmethod
    def from_transformers(cls, tokenizer, max_length: int) -> "TextEncoder":
        """From a `transformers` fast tokenizer (training hands its own to the predictor)."""
        backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        return cls(backend, max_length, int(tokenizer.pad_token_id or 0))

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        return self.truncating.encode_batch(list(texts))

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text before truncation (special tokens included)."""
        return [len(encoding.ids) for encoding in self.full.encode_batch(list(texts))]

    def pad(self, encodings: Sequence[Encoding]) -> dict[str, np.ndarray]:
        """input_ids, attention_mask and token_type_ids, each [B, T] int64, T = the longest."""
        width = max(len(e.ids) for e in encodings)
        batch = {
            name: np.zeros((len(encodings), width), dtype=np.int64)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        }
        batch["input_ids"].fill(self.pad_id)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            batch["input_ids"][row, :n] = encoding.ids
            batch["attention_mask"][row, :n] = 1
            batch["token_type_ids"][row, :n] = encoding.type_ids
        return batch


def _pad_token(config_file: Path) -> str:
    """The padding token named in tokenizer_config.json ("[PAD]" for BERT-style vocabularies)."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return "[PAD]"
    token: Optional[object] = config.get("pad_token")
    if isinstance(token, dict):  # an AddedToken written out in full
        token = token.get("content")
    return token if isinstance(token, str) else "[PAD]"
