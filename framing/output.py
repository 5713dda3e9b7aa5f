"""Writing results so that nothing is half-written or silently replaced.

Files and folders are written under a hidden temporary name beside the target and renamed
into place only when complete; an existing target is replaced only with `overwrite`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable, Iterator

from framing.errors import FramingError


def ensure_writable(target: str | Path, overwrite: bool, needed_bytes: int = 0) -> Path:
    """Fail before any work is done if `target` exists (without overwrite), cannot be written,
    or its disk has less than `needed_bytes` free."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise FramingError(f"{target}: already exists; pass --overwrite to replace it")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FramingError(f"{parent}: cannot create folder ({error.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise FramingError(f"{parent}: folder is not writable")
    free = shutil.disk_usage(parent).free
    if free < needed_bytes:
        raise FramingError(f"{parent}: {free / 2**20:,.0f} MiB free on this disk, about {needed_bytes / 2**20:,.0f} MiB "
                           f"needed for {target.name}")
    return target


@contextlib.contextmanager
def atomic_folder(target: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces `target`, on any error it is removed."""
    target = ensure_writable(target, overwrite)
    staging = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
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
    staging = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        with staging.open("w", encoding="utf-8") as handle:
            handle.writelines(chunks)
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def write_json(target: str | Path, value: Any, overwrite: bool = True) -> None:
    write_text(target, [json.dumps(value, indent=2, ensure_ascii=False) + "\n"], overwrite)
