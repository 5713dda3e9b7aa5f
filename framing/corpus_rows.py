"""Which rows of an input file a corpus job reads: all of them, the first N (`--limit`), or a
uniform random sample of N (`--sample`, seeded, so a resumed job reads the same rows). Rows keep
their file row numbers (framing.data.row_numbers) whichever are chosen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import numpy as np
import pandas as pd

from framing.data import read_chunks
from framing.errors import FramingError


@dataclass
class InputRows:
    path: Path
    chunk_size: int
    limit: Optional[int] = None  # the first `limit` rows
    sample: Optional[int] = None  # a uniform sample of `sample` rows (all if the file has fewer)
    seed: int = 0

    def __post_init__(self):
        for name, value in (("chunk size", self.chunk_size), ("--limit", self.limit), ("--sample", self.sample)):
            if value is not None and value < 1:
                raise FramingError(f"{name} {value}: must be at least 1")
        if self.limit is not None and self.sample is not None:
            raise FramingError("--limit and --sample: give one of the two")
        self._chosen: Optional[np.ndarray] = None

    def selection(self) -> Optional[str]:
        """How rows are chosen, in words (recorded with a job, so a resume reads the same rows)."""
        if self.limit is not None:
            return f"first {self.limit}"
        return None if self.sample is None else f"sample {self.sample} seed {self.seed}"

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The chosen rows in file order, in frames of at most `chunk_size` rows (a sample's
        frames are the file's chunks thinned, never empty)."""
        if self.sample is not None:
            yield from self._sampled()
            return
        left = self.limit
        for frame in read_chunks(self.path, self.chunk_size):
            if left is not None:
                if left <= 0:
                    return
                frame, left = frame.iloc[:left], left - len(frame)
            yield frame

    def _sampled(self) -> Iterator[pd.DataFrame]:
        if self._chosen is None:  # positions 0.. of the rows to keep: one counting pass first
            total = sum(len(frame) for frame in read_chunks(self.path, self.chunk_size))
            rng = np.random.default_rng(self.seed)
            self._chosen = np.sort(rng.choice(total, size=min(self.sample, total), replace=False))
        start = 0
        for frame in read_chunks(self.path, self.chunk_size):
            kept = frame[np.isin(np.arange(start, start + len(frame)), self._chosen)]
            start += len(frame)
            if len(kept):
                yield kept
