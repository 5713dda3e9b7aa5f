"""How cross-validation's folds are drawn: one key per group however it is spelled (outlets
held out together), and enough rows, and of each class, for the folds asked for."""

from __future__ import annotations

import re

import numpy as np

from framing.errors import FramingError


def group_key(value: str) -> str:
    """Spellings of one group as one key: case, spacing, hyphens and a leading "the" folded, so
    that "The Daily Beast" and "Daily Beast" (both in BABE) and anno-lexical's "daily-beast" are
    held out together."""
    return re.sub(r"^the ", "", " ".join(re.sub(r"[-_]", " ", value).split()).casefold())


def check_folds(labels, names: list[str], folds: int, multi_label: bool) -> None:
    """Enough rows for `folds` folds; for stratified (single-label) folds, enough of each class."""
    if len(labels) < folds:
        raise FramingError(f"--folds {folds}: the data has only {len(labels)} rows")
    if multi_label:
        return
    counts = np.bincount(np.asarray(labels), minlength=len(names))
    short = [f"'{name}' has {count}" for name, count in zip(names, counts) if 0 < count < folds]
    if short:
        raise FramingError(
            f"--folds {folds}: stratified folds need at least {folds} rows of each class ({', '.join(short)})"
        )
