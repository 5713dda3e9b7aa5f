"""What a predictor call accepts: texts (a string or an iterable of strings, checked one by
one), and whole-number settings (batch size, top_k), each refused in one line naming it."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from framing.errors import FramingError, require_unicode


def check_batch_size(batch_size: Any) -> int:
    return _whole_number(batch_size, "batch size")


def check_top_k(top_k: Any) -> Optional[int]:
    return None if top_k is None else _whole_number(top_k, "top_k", "None or ")


def _whole_number(value: Any, what: str, alternative: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise FramingError(f"{what} {value!r}: must be {alternative}a whole number of at least 1")
    return int(value)


def as_texts(inputs: Any) -> tuple[list[str], bool]:
    """The texts of a call, checked, and whether one string was given. Accepts a string or
    any iterable of strings (list, tuple, pandas Series, numpy array of str, generator)."""
    single = isinstance(inputs, str)
    if not single and (isinstance(inputs, (bytes, bytearray, dict)) or not hasattr(inputs, "__iter__")):
        raise FramingError(f"expected a string or a list of strings, got {type(inputs).__name__}")
    refuse_misleading_iterable(inputs)
    texts = [inputs] if single else [str(t) if isinstance(t, np.str_) else t for t in inputs]
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise FramingError(f"text {index}: expected a string, got {type(text).__name__}")
        if not text.strip():
            raise FramingError(f"text {index}: empty text")
        require_unicode(text, f"text {index}")
    return texts, single


def refuse_misleading_iterable(inputs: Any) -> None:
    """Refuse what iterates into something other than its texts, which would otherwise be
    labelled without a word: a table (a pandas or polars DataFrame iterates over its column
    names or columns), an array of two or more dimensions (rows), or a set (no order, so the
    results could not be matched to the texts)."""
    kind = type(inputs).__name__
    if hasattr(inputs, "columns") and not isinstance(inputs, str):
        raise FramingError(
            f"expected a string or a list of strings, got a {kind} (it iterates over its columns): "
            f'pass one column, e.g. df["text"]'
        )
    if getattr(inputs, "ndim", 1) > 1:
        raise FramingError(
            f"expected a string or a list of strings, got a {inputs.ndim}-D {kind}: pass one column or a 1-D array"
        )
    if isinstance(inputs, (set, frozenset)):
        raise FramingError(f"expected a string or a list of strings, got a {kind}, which has no order: pass a list")
