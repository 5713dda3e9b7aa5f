"""The one sha256 helper: of files (read in 1 MiB blocks, so any size fits in memory) or of a text."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(*paths: Path) -> str:
    """Hex sha256 over the bytes of `paths`, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        with Path(path).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    """Hex sha256 of `text` in UTF-8: a stable key (a cache folder's name, a fixed sample's order)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
