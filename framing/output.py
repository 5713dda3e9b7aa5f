"""Writing results so that nothing is half-written or silently replaced.

Files and folders are written under a hidden temporary name beside the target and renamed
into place only when complete; an existing target is replaced only with `overwrite`.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from framing.errors import FramingError

# The file in every folder atomic_folder writes, naming what wrote it ({"kind": ...}): an
# existing folder is replaced only when it holds one (of the same kind, where both name one),
# so `--overwrite` with a mistyped or reused name never deletes a folder of the user's.
OUTPUT_MARKER = "framing-output.json"


def ensure_writable(target: str | Path, overwrite: bool, needed_bytes: int = 0, kind: Optional[str] = None) -> Path:
    """Fail before any work is done if `target` exists (without overwrite, or with it where it
    is not ours to replace: see check_replaceable), cannot be written, or its disk has less than
    `needed_bytes` free. `kind`: the kind of folder the caller writes (None: a file, or unstated)."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise FramingError(f"{target}: already exists; pass --overwrite to replace it")
    if target.exists():
        check_replaceable(target, kind)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FramingError(f"{parent}: cannot create folder ({error.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise FramingError(f"{parent}: folder is not writable")
    free = shutil.disk_usage(parent).free
    if free < needed_bytes:
        raise FramingError(
            f"{parent}: {free / 2**20:,.0f} MiB free on this disk, about {needed_bytes / 2**20:,.0f} MiB "
            f"needed for {target.name}"
        )
    return target


def check_replaceable(target: Path, kind: Optional[str], folder: bool = False) -> None:
    """Refuse, in one line, to replace what this command did not write: a folder without
    OUTPUT_MARKER or with another kind's, or a file where a folder is written (`folder`, or a
    `kind` given). A file output replaces a file, as --overwrite says."""
    if not target.is_dir():
        if folder or kind:
            raise FramingError(
                f"{target}: is a file, not a folder framing wrote; refusing to replace it "
                f"(remove it yourself or choose another name)"
            )
        return
    try:
        written = json.loads((target / OUTPUT_MARKER).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        raise FramingError(
            f"{target}: not a folder framing wrote (no {OUTPUT_MARKER} in it); refusing to replace "
            f"it (remove it yourself or choose another name)"
        ) from None
    if kind and written and written != kind:
        raise FramingError(
            f"{target}: framing's {written} output, not its {kind}; refusing to replace it "
            f"(remove it yourself or choose another name)"
        )


def staging_path(target: Path) -> Path:
    """The temporary name beside `target` that this process writes to; temporary files left by
    processes that no longer run (killed mid-write) are removed on the way."""
    for stale in target.parent.glob(f".{glob.escape(target.name)}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
    return target.parent / f".{target.name}.tmp-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _shareable(path: Path) -> None:
    """Files 0666 and folders 0777 less the umask (0644 / 0755 by default), whatever mode the
    writing library chose (some write through private 0600 temporary files): a checkpoint or
    output on shared storage must be readable by every worker."""
    umask = os.umask(0)
    os.umask(umask)
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        item.chmod((0o777 if item.is_dir() else 0o666) & ~umask)


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` (one rename),
    on any error it is removed. The one way this project writes a file."""
    staging = staging_path(target)
    try:
        yield staging
        _shareable(staging)
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(target: str | Path, overwrite: bool = False, kind: Optional[str] = None) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces `target`, on any error it is removed.
    The folder holds OUTPUT_MARKER naming `kind` (e.g. "extension"), so that a later
    --overwrite may replace it, and nothing else (check_replaceable)."""
    target = ensure_writable(target, overwrite, kind=kind)
    if target.exists():
        check_replaceable(target, kind, folder=True)
    staging = staging_path(target)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        marker = json.dumps({"kind": kind, "written_by": "framing"}) + "\n"
        (staging / OUTPUT_MARKER).write_text(marker, encoding="utf-8")
        yield staging
        _shareable(staging)
        if target.exists():
            retired = target.parent / f".{target.name}.old-{os.getpid()}"
            os.rename(target, retired)
            os.rename(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_text(target: str | Path, chunks: Iterable[str], overwrite: bool = True) -> None:
    """Write text atomically (callers check for an existing file before the work)."""
    target = ensure_writable(target, overwrite)
    with atomic_file(target) as staging, staging.open("w", encoding="utf-8") as handle:
        handle.writelines(chunks)


def write_json(target: str | Path, value: Any, overwrite: bool = True) -> None:
    write_text(target, [json.dumps(value, indent=2, ensure_ascii=False) + "\n"], overwrite)


@contextlib.contextmanager
def owning(target: Path) -> Iterator[None]:
    """Hold `target` for this job while it runs: a second job on the same output (a fresh run,
    --overwrite or --resume) is refused in one line naming the running one. The lock is the
    kernel's (flock on the hidden `.<name>.lock` beside it), so a job killed with kill -9
    leaves nothing to take over by hand: the next one, e.g. a --resume, simply gets it."""
    import fcntl  # POSIX only, like the rest of the corpus machinery's guarantees

    lock_path = target.parent / f".{target.name}.lock"
    while True:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # the same words as ensure_writable's
            raise FramingError(f"{target.parent}: cannot create folder ({error.strerror})") from None
        try:
            handle = open(lock_path, "a+", encoding="utf-8")
        except OSError as error:
            raise FramingError(f"{target.parent}: folder is not writable ({error.strerror})") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another job"
            handle.close()
            raise FramingError(
                f"{target}: {holder} is writing this output; wait for it to finish or stop it "
                f"(a stopped job's output can then be resumed)"
            ) from None
        # The last holder removes the file when done: if it went between our open and our lock,
        # we hold a lock on a removed file, which protects nothing. Open the path again.
        if lock_path.exists() and os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino:
            break
        handle.close()
    try:
        handle.truncate(0)
        handle.write(f"job pid {os.getpid()} (started {time.strftime('%Y-%m-%d %H:%M:%S')})")
        handle.flush()
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        handle.close()
