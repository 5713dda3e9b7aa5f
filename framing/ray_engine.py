"""The Ray Data engine for corpus scoring (`framing predict --engine ray`).

Same job as framing.corpus.LocalEngine, spread over Ray workers: chunks go into a Ray
dataset and `map_batches` runs `ChunkScorer`, a callable class, on a pool of actors, each of
which loads the checkpoint once. Results come back in input order (`preserve_order`), so
framing.corpus writes, resumes and joins them exactly as it does for the local engine.

The driver reads the chunks (one in memory at a time) and puts each into Ray's object store,
which spills to disk when the remaining input outgrows it; one actor pool serves the whole run.

On a cluster (`address="ray://head:10001"` or `"auto"`), every worker must be able to read
the checkpoint: give a folder on shared storage or a hub id.
"""

from __future__ import annotations

import json
from typing import Callable, Iterator, Optional

import pandas as pd


class ChunkScorer:
    """Runs on a Ray actor: one FramingClassifier per actor, reused for every batch."""

    def __init__(self, checkpoint: str, runtime: str, batch_size: int, threads: int):
        import torch

        from framing.predictor import FramingClassifier

        torch.set_num_threads(threads)
        self.classifier = FramingClassifier.from_pretrained(checkpoint, runtime=runtime, batch_size=batch_size,
                                                            threads=threads)

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        records = self.classifier.records(batch["text"].tolist())
        # JSON keeps each record whole through Arrow; Python floats survive it exactly.
        return pd.DataFrame({"chunk": batch["chunk"].to_numpy(),
                             "record": [json.dumps(r) for r in records]})


class RayEngine:
    def __init__(self, checkpoint: str, runtime: str = "auto", batch_size: int = 8, workers: int = 2,
                 threads_per_worker: int = 1, address: Optional[str] = None, rows_per_batch: int = 256):
        self.checkpoint, self.runtime, self.batch_size = checkpoint, runtime, batch_size
        self.workers, self.threads, self.address = workers, threads_per_worker, address
        self.rows_per_batch = rows_per_batch

    def _start(self):
        import ray

        if not ray.is_initialized():
            local = self.address is None
            ray.init(address=self.address, num_cpus=self.workers * self.threads if local else None,
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows come back in input order
        context.enable_progress_bars = False  # framing.corpus shows one bar for the whole job
        return ray

    def score(self, chunks: Iterator[tuple[int, list[str]]],
              advance: Callable[[int], None]) -> Iterator[tuple[int, list[dict]]]:
        ray = self._start()
        refs, expected = [], {}
        for index, texts in chunks:
            refs.append(ray.put(pd.DataFrame({"chunk": index, "text": texts})))
            expected[index] = len(texts)
        if not refs:
            return
        dataset = ray.data.from_pandas_refs(refs).map_batches(
            ChunkScorer,
            fn_constructor_kwargs={"checkpoint": self.checkpoint, "runtime": self.runtime,
                                   "batch_size": self.batch_size, "threads": self.threads},
            batch_size=self.rows_per_batch, batch_format="pandas", concurrency=self.workers, num_cpus=self.threads,
        )
        order = list(expected)
        collected: dict[int, list[dict]] = {index: [] for index in order}
        for batch in dataset.iter_batches(batch_format="pandas", batch_size=None):
            for chunk, record in zip(batch["chunk"].tolist(), batch["record"].tolist()):
                collected[chunk].append(json.loads(record))
            advance(len(batch))
            while order and len(collected[order[0]]) == expected[order[0]]:  # whole chunks, in order
                yield order[0], collected.pop(order[0])
                order.pop(0)
        if order:
            raise RuntimeError(f"Ray returned too few rows for chunks {order}")
