"""Time limits for work whose caller may give up (an HTTP request that timed out).

`time_limit(seconds)` sets a deadline for the calls made inside it; long steps (segmenting,
quote finding, tokenizing, model batches) call `check_deadline()` between bounded pieces of
work and stop with TimeoutError once it has passed, so abandoned work never holds the model
past its request's limit.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from typing import Iterator, Optional

# When the current call must stop (time.monotonic()), if it has a time limit.
_DEADLINE: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar("framing_deadline", default=None)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_deadline() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TimeoutError("time limit passed; the rest of the call was skipped")


def remaining_seconds() -> Optional[float]:
    """Seconds left before the current call's deadline (None: no time limit)."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()
