"""Inference back ends, and opening the one a checkpoint names.

Each back end turns a padded batch (numpy int64 arrays `input_ids`, `attention_mask`,
`token_type_ids`, all [B, T]) into the outputs asked for, in the order asked (OUTPUTS): sentence
logits [B, C], per-token word logits [B, T], technique logits [B, K] and the pooled features
the technique head reads [B, 2H] (a checkpoint with a technique head). The predictor does
tokenization, batching and calibration around it.

- torch-fp32: the PyTorch model as trained (needs the `train` extra: torch).
- onnx-fp32 / onnx-int8 / onnx-int8-full: ONNX Runtime on a graph with fused attention,
  built by framing.onnx_build. The int8 ones have dynamically quantized matrix multiplies:
  onnx-int8 keeps the feed-forward down-projections in fp32 (closest to fp32's labels),
  onnx-int8-full quantizes every encoder matmul (faster; a little further from fp32). On CPUs
  whose int8 kernel saturates (AVX2 without VNNI) the graph is loaded re-expressed so that it
  does not: the same integer products on every machine (framing.int8_kernels).

No back end lets a text's label or probabilities depend on what else is in the call, but only
the int8 ones are exact to the bit. Padding is masked, so the fp32 back ends give a text the
same probabilities in any batch up to float rounding: on some CPUs (AVX-512 and AMX kernels)
a matrix product's summation order depends on the rows in the batch, which moves a
probability in about its seventh decimal (within 1e-6; `framing export` accepts 1e-5), so
their output files are not byte-identical across batch sizes or corpus chunk sizes. Dynamic
quantization, however,
measures each activation's range over the whole batch tensor, so a text's scores would move
with its batch company: the int8 back ends therefore run one text per call, on sessions of
one thread each, with as many calls in flight as the machine has cores (measured on 2 cores:
424 sentences/s, the same as batches of 8 on one 2-thread session; static int8 quantization
with stored activation ranges was measured at 238-292 sentences/s and 0.01-0.02 lower dev
macro-F1, see experiments/results.md, "Performance").
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import shutil
import sys
import threading
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

import numpy as np

from framing.checkpoint import ONNX_FILES, is_current, read_meta, weights_digest
from framing.errors import FramingError
from framing.hashing import sha256_text
from framing.int8_kernels import int8_product_saturates, save_unsaturated, unsaturated_model
from framing.output import atomic_folder

RUNTIMES = ("torch-fp32", "onnx-fp32", "onnx-int8", "onnx-int8-full")
PER_TEXT = ("onnx-int8", "onnx-int8-full")  # dynamically quantized: one text per call (see above)

Batch = dict[str, np.ndarray]
OUTPUTS = ("logits", "word_logits", "technique_logits", "technique_features")  # the graph's output names
Outputs = tuple[np.ndarray, ...]  # one array per output asked for, in that order


def physical_cores() -> int:
    """Threads for matrix work: hyper-threads do not add arithmetic units, so count cores."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        cores = {line.split(":")[1].strip() for line in cpuinfo if line.startswith("core id")}
        sockets = {line.split(":")[1].strip() for line in cpuinfo if line.startswith("physical id")}
        counted = len(cores) * max(1, len(sockets))
    except OSError:
        counted = 0
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(counted or available, available))


class TorchRuntime:
    name = "torch-fp32"
    max_batch: Optional[int] = None  # any batch size: the same per-text results up to float rounding

    def __init__(self, model):
        import torch

        self.torch = torch
        self.model = model.eval()
        import inspect

        accepted = inspect.signature(model.classifier.forward).parameters
        self.inputs = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in accepted]

    def __call__(self, batch: Batch, outputs: Sequence[str] = ("logits",)) -> Outputs:
        with self.torch.inference_mode():
            tensors = {key: self.torch.from_numpy(batch[key]) for key in self.inputs}
            if tuple(outputs) == ("logits",):  # the sentence head alone: no extra heads to run
                return (self.model.classifier(**tensors).logits.float().numpy(),)
            out = self.model(**tensors)
            return tuple(getattr(out, name).float().numpy() for name in outputs)

    def map(self, batches: Iterable[Batch], outputs: Sequence[str] = ("logits",)) -> Iterator[Outputs]:
        return (self(batch, outputs) for batch in batches)


_RUNTIMES: "weakref.WeakSet[OnnxRuntime]" = weakref.WeakSet()  # this process's, for the fork handler


def _after_fork_in_child() -> None:
    """A forked child (multiprocessing's default on Linux) inherits ONNX Runtime sessions and
    our worker pool but not their threads: using them waits forever for workers that do not
    exist, and so does freeing a session (its destructor joins them), even at the child's exit.
    So the child never frees the inherited sessions (one extra reference each, for the life of
    the child) and opens its own when it first scores. Measured: a forked child scoring 4
    texts hung for good before, and answered at once and exited after."""
    for runtime in list(_RUNTIMES):
        for session in runtime._sessions.values():
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(session))
        runtime._forget_threads()


os.register_at_fork(after_in_child=_after_fork_in_child)


class OnnxRuntime:
    def __init__(self, path: Path, name: str, threads: Optional[int] = None):
        self.path, self.name, self.threads = path, name, threads or physical_cores()
        self._unsaturated: Optional[str | bytes] = None  # the re-expressed graph: cached path or bytes
        per_text = name in PER_TEXT
        self.max_batch: Optional[int] = 1 if per_text else None
        self.workers = self.threads if per_text else 1
        self._forget_threads()
        _RUNTIMES.add(self)
        self.inputs = [item.name for item in self._session(self.threads).get_inputs()]

    def _forget_threads(self) -> None:
        """Start without sessions or worker pool (opened when first used)."""
        self._pool: Optional[ThreadPoolExecutor] = None
        # Sessions are opened when first needed (a one-sentence call opens one, not two):
        # `_sessions[n]` runs on n threads.
        self._sessions: dict[int, object] = {}
        self._opening = threading.Lock()

    def _session(self, threads: int):
        with self._opening:
            if threads not in self._sessions:
                self._sessions[threads] = self._open(threads)
                if isinstance(self._unsaturated, bytes) and {1, self.threads} <= self._sessions.keys():
                    self._unsaturated = None  # every session opened holds its own copy: let this one go
            return self._sessions[threads]

    def _open(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: no optimizer notices on the user's terminal
        try:
            return ort.InferenceSession(self.model_source(), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own exception types for bad files
            raise FramingError(f"{self.path}: corrupt ONNX file ({str(error).strip().splitlines()[0]})") from None

    def model_source(self):
        """The file's path, or where this CPU's int8 kernel saturates that of the graph
        re-expressed so it does not (framing.int8_kernels)."""
        if self.name not in PER_TEXT or not int8_product_saturates():
            return str(self.path)
        if self._unsaturated is None or (isinstance(self._unsaturated, str) and not os.path.isfile(self._unsaturated)):
            self._unsaturated = unsaturated_copy(self.path)  # (again, if a newer install's load removed it)
        return self._unsaturated

    def __call__(self, batch: Batch, outputs: Sequence[str] = ("logits",), threads: Optional[int] = None) -> Outputs:
        session = self._session(threads or (1 if self.workers > 1 else self.threads))
        feeds = {name: batch[name] for name in self.inputs}
        return tuple(session.run(list(outputs), feeds))

    def map(self, batches: Iterable[Batch], outputs: Sequence[str] = ("logits",)) -> Iterator[Outputs]:
        """Outputs of each batch, in order. Per-text back ends run one-thread sessions on
        `workers` texts at once (ONNX Runtime releases the GIL while it computes), and a
        single text on one session with every core: the kernels split the work, not the sums,
        so its outputs are the same bit for bit (measured: identical on all 397 dev sentences;
        2.1 ms instead of 3.9 ms for one sentence)."""
        if self.workers == 1:
            return (self(batch, outputs) for batch in batches)
        batches = iter(batches)
        first = next(batches, None)
        second = next(batches, None) if first is not None else None
        if second is None:
            return iter([] if first is None else [self(first, outputs, threads=self.threads)])
        return self._in_parallel(itertools.chain([first, second], batches), outputs)

    def _in_parallel(self, batches: Iterable[Batch], outputs: Sequence[str]) -> Iterator[Outputs]:
        # A bounded window (not Executor.map, which takes every batch at once): the batches are
        # made as the window moves, so a caller that stops early (a time limit) stops the work.
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="framing-onnx")
        window: deque = deque()
        for batch in batches:
            window.append(self._pool.submit(self, batch, outputs))
            if len(window) >= 2 * self.workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def open_runtime(folder: Path, name: str, threads: Optional[int] = None):
    """The named back end for checkpoint `folder`. An ONNX file is used from the checkpoint
    folder (where `framing export` writes it, and where the shipped model carries its own) or
    else from $FRAMING_CACHE (default ~/.cache/framing), where a load builds it if missing:
    loading never adds files to a checkpoint folder. Only torch-fp32 loads the PyTorch model."""
    if name not in RUNTIMES:
        raise FramingError(f"unknown runtime '{name}' (expected one of {', '.join(RUNTIMES)})")
    meta = read_meta(folder)
    if meta.onnx_only:  # nothing to build from: the shipped graph or nothing
        if name != meta.runtime.name:
            raise FramingError(
                f"{folder} ships only its {meta.runtime.name} back end (no PyTorch weights), so it "
                f"cannot run {name}; use runtime 'auto' (or drop --fp32)"
            )
        return OnnxRuntime(folder / ONNX_FILES[name], name, threads)
    if name == "torch-fp32":
        from framing.checkpoint import load_checkpoint

        return TorchRuntime(load_checkpoint(folder)[0])
    digest = weights_digest(folder)  # hashed once: 45 MB for the shipped model
    path = folder / ONNX_FILES[name]
    # A file that `framing export` put in the folder is refreshed there when the weights
    # change (if writable); every other build goes to the cache.
    if not is_current(path, folder, digest) and not (path.exists() and os.access(folder, os.W_OK)):
        path = onnx_cache(folder) / ONNX_FILES[name]
    if not is_current(path, folder, digest):
        _build(folder, name, path)
    return OnnxRuntime(path, name, threads)


def _build(folder: Path, name: str, path: Path) -> None:
    try:
        from framing.onnx_build import export_onnx
    except ImportError:
        raise FramingError(
            f"{folder} has no {path.name}; building it needs PyTorch: pip install 'framing[train]' "
            f"(or pass --fp32 / runtime='torch-fp32', which also needs it)"
        ) from None
    print(f"framing: building {path.name} for {folder} (once per weights; 10-30 s)", file=sys.stderr)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FramingError(
            f"{path.parent}: cannot create the ONNX cache folder ({error.strerror}); set "
            f"FRAMING_CACHE to a writable folder"
        ) from None
    if not os.access(path.parent, os.W_OK):
        raise FramingError(
            f"{path.parent}: the ONNX cache folder is not writable; set FRAMING_CACHE to a writable folder"
        )
    export_onnx(folder, which=(name,), target=path.parent)


def unsaturated_copy(path: Path) -> str | bytes:
    """The path of ONNX file `path` re-expressed for a CPU whose int8 kernel saturates
    (framing.int8_kernels), made once into $FRAMING_CACHE, where sessions map its weights from
    disk as they do the shipped file's (held in memory, each session of the accurate model
    would hold 113 MB more). Processes loading it at once (a server's workers, a corpus job's
    actors) wait for the first one's copy; a copy of an older file at the same path (before a
    reinstall) is removed. Where the cache cannot be written: the serialized graph itself."""
    files = sorted(path.parent.glob(f"{path.name}*"))  # the graph and its external weight files
    stamp = sha256_text("|".join(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files))[:16]
    folder = onnx_cache(path.parent) / f"{path.stem}.unsaturated-{stamp}"
    if not (folder / path.name).is_file():
        try:
            with cache_lock(folder):
                if not (folder / path.name).is_file():  # not made by another process meanwhile
                    with atomic_folder(folder, kind="re-expressed int8 graph") as staging:
                        save_unsaturated(path, staging / path.name)
                    _remove_older_copies(folder, path.stem, installed=max(f.stat().st_mtime for f in files))
        except Exception:  # not writable, a full disk, a lock not had within its time: in memory
            if not (folder / path.name).is_file():
                return unsaturated_model(path)
    return str(folder / path.name)


def _remove_older_copies(folder: Path, stem: str, installed: float) -> None:
    """Remove the re-expressed copies beside `folder` of the same graph made before its files
    were `installed` (a reinstall's predecessors). A copy made since, e.g. by another machine
    sharing the cache with files of other timestamps, may be in use: it stays."""
    for stale in folder.parent.glob(f"{stem}.unsaturated-*"):
        if stale != folder and stale.is_dir() and stale.stat().st_mtime < installed:
            shutil.rmtree(stale, ignore_errors=True)
            (stale.parent / f".{stale.name}.lock").unlink(missing_ok=True)


@contextlib.contextmanager
def cache_lock(target: Path) -> Iterator[None]:
    """Hold a lock beside cache entry `target` (file or folder) while this process makes it, so
    that others wait (saying so, 10 minutes at most) and then take it instead of making their own."""
    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(target.parent / f".{target.name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"framing: waiting for another process making {target.name} in the ONNX cache", file=sys.stderr)
        lock.acquire(timeout=600)
    try:
        yield
    finally:
        lock.release()


def drop_onnx_cache(folder: Path) -> None:
    """Remove what loads of checkpoint `folder` put in $FRAMING_CACHE: for a temporary folder,
    whose entries nothing will read again (109 MB for the accurate model's re-expressed graph)."""
    shutil.rmtree(onnx_cache(folder), ignore_errors=True)


def onnx_cache(folder: Path) -> Path:
    root = Path(os.environ.get("FRAMING_CACHE", Path.home() / ".cache" / "framing"))
    return root / sha256_text(str(folder.resolve()))[:16]
