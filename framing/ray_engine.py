"""The Ray engine for corpus scoring (`framing predict --engine ray`), on Ray actors.

Same job as framing.corpus.LocalEngine (passages or, with `articles`, whole articles), spread
over a pool of Ray actors (`ChunkScorer`), each of which loads the checkpoint once. The driver
reads the input one chunk at a time (framing.corpus), cuts each chunk into batches of
`rows_per_batch` texts and keeps at most two batches per actor in flight: the rest of the
input is not read until results come back, so the driver's memory stays flat whatever the
corpus size. Results come back in submission order (`ActorPool.get_next`), so framing.corpus
writes, resumes and joins parts exactly as it does for the local engine.

Why actors rather than Ray Data's readers: the corpus job checks every row, numbers rows
and resumes by chunk on the driver, which needs the driver to own the reading; Ray Data's
`from_pandas_refs` needed every chunk in the object store before the first result came back.

On a cluster (`address="ray://head:10001"` or `"auto"`), every worker must be able to read
the checkpoint: give a folder on shared storage or a hub id. A local instance binds
127.0.0.1 only and keeps its logs off the terminal.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections import deque
from typing import Callable, Iterator, Optional

import numpy as np

from framing.errors import FramingError


class ChunkScorer:
    """Runs on a Ray actor: one FramingClassifier per actor, reused for every batch."""

    def __init__(self, checkpoint: str, runtime: str, batch_size: int, threads: int):
        from framing.predictor import FramingClassifier

        self.classifier = FramingClassifier.from_pretrained(
            checkpoint, runtime=runtime, batch_size=batch_size, threads=threads
        )

    def probabilities(self, texts: list[str]):
        from framing.corpus_files import passage_scores

        return passage_scores(self.classifier, texts)  # [n, C (+ K)] float32: a small array to send back

    def analyses(self, texts: list[str]) -> list[dict]:
        from framing.corpus_articles import analyze_compact

        return [analyze_compact(self.classifier, text) for text in texts]  # no article text sent back


class RayEngine:
    def __init__(
        self,
        checkpoint: str,
        runtime: str = "auto",
        batch_size: int = 8,
        workers: int = 2,
        threads_per_worker: int = 1,
        address: Optional[str] = None,
        rows_per_batch: Optional[int] = None,
        classifier=None,
        articles: bool = False,
    ):
        if importlib.util.find_spec("ray") is None:
            raise FramingError('--engine ray needs Ray: pip install "framing[ray]"')
        for name, value in (("--workers", workers), ("--threads-per-worker", threads_per_worker)):
            if value < 1:
                raise FramingError(f"{name} {value}: must be at least 1")
        self.checkpoint, self.runtime, self.batch_size = checkpoint, runtime, batch_size
        self.workers, self.threads, self.address = workers, threads_per_worker, address
        # a batch of articles is about 30 times the work of a batch of passages
        self.articles = articles
        self.rows_per_batch = rows_per_batch or (8 if articles else 256)
        if classifier is None:  # on the driver too: it shapes the probabilities into output rows
            from framing.predictor import FramingClassifier

            classifier = FramingClassifier.from_pretrained(checkpoint, runtime=runtime, batch_size=batch_size)
        self.classifier = classifier

    def _start(self):
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage-report notice or upload
        local = self.address is None
        if local:
            # Ray binds its services to the machine's network address unless told that this is
            # no cluster (the switch it uses on desktops): a local instance listens on 127.0.0.1.
            os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
        import ray
        import ray._private.ray_constants as constants

        if not ray.is_initialized():
            if local:
                constants.ENABLE_RAY_CLUSTER = False  # read when ray was imported, maybe before the line above
            try:
                ray.init(
                    address=self.address,
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                    configure_logging=True,
                    **({"num_cpus": self.workers * self.threads, "include_dashboard": False} if local else {}),
                )
            except Exception as error:  # Ray raises many types here; the user needs one line
                raise FramingError(_connection_problem(self.address, error)) from None
        return ray

    def score(
        self, chunks: Iterator[tuple[int, list[str]]], advance: Callable[[int], None]
    ) -> Iterator[tuple[int, list[dict]]]:
        ray = self._start()
        from ray.util import ActorPool

        actor = ray.remote(num_cpus=self.threads)(ChunkScorer)
        pool = ActorPool(
            [actor.remote(self.checkpoint, self.runtime, self.batch_size, self.threads) for _ in range(self.workers)]
        )
        in_flight: deque[tuple[int, int]] = deque()  # (chunk, batches left in it) in submission order
        collected: list = []  # probability arrays of the chunk being completed
        outstanding = 0  # batches submitted and not yet collected

        def collect() -> Optional[tuple[int, np.ndarray]]:
            probabilities = pool.get_next()  # results in submission order
            collected.append(probabilities)
            advance(len(probabilities))
            index, left = in_flight[0]
            if left > 1:
                in_flight[0] = (index, left - 1)
                return None
            in_flight.popleft()
            whole = [a for batch in collected for a in batch] if self.articles else np.concatenate(collected)
            collected.clear()
            return index, whole

        for index, texts in chunks:
            batches = [texts[i : i + self.rows_per_batch] for i in range(0, len(texts), self.rows_per_batch)]
            in_flight.append((index, len(batches)))
            for batch in batches:
                if outstanding >= 2 * self.workers:  # bounded: the driver reads no further ahead
                    outstanding -= 1
                    done = collect()
                    if done:
                        yield done
                if self.articles:
                    pool.submit(lambda scorer, piece: scorer.analyses.remote(piece), batch)
                else:
                    pool.submit(lambda scorer, piece: scorer.probabilities.remote(piece), batch)
                outstanding += 1
        while outstanding:
            outstanding -= 1
            done = collect()
            if done:
                yield done


def _connection_problem(address: Optional[str], error: Exception) -> str:
    """One line for a Ray start or connection that failed: what to install, or where it failed."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "ray[client]" in str(error) or "Ray Client requires" in str(error):
        return (
            f'--ray-address {address}: a ray:// address needs Ray Client: pip install "ray[client]" (same '
            f"version as the cluster's Ray), or run on the head node with --ray-address auto"
        )
    return f"--ray-address {address or '(local)'}: Ray did not start or connect ({text})"
