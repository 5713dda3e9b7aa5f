"""The one exception type users see for bad input, bad config or a bad checkpoint.

The CLI prints its message on one line and exits non-zero; Python callers can catch it.
Messages name the file, row, column and value at fault.
"""

from __future__ import annotations

from typing import Any


class FramingError(Exception):
    """A problem with the user's input (data, config, checkpoint), not a bug in framing."""


def describe_invalid(errors: list[dict[str, Any]], source: str) -> str:
    """One line for a pydantic ValidationError's `errors()` (a config or framing.json),
    naming every key at fault: unknown, missing, or the value and why it is wrong."""
    problems = []
    for item in errors:
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            problems.append(f"unknown key '{key}'")
        elif item["type"] == "missing":
            problems.append(f"missing key '{key}'")
        elif item["type"] == "value_error" and not item["loc"]:  # a check across keys names its own keys
            problems.append(str(item["msg"]).removeprefix("Value error, "))
        else:
            problems.append(f"'{key}': {item['msg']} (got {item.get('input')!r})")
    return f"{source}: " + "; ".join(problems)


def require_unicode(text: str, what: str) -> None:
    """Refuse a string no tokenizer can read (a lone surrogate, as from a bad decode) in one
    line: every entry point (predict, analyze, the service) checks its texts through this."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise FramingError(f"{what}: not valid Unicode (lone surrogate at character {error.start})") from None


def yaml_problem(error: Exception) -> str:
    """A YAML parser error in one phrase: what is wrong and where (line and column from 1)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).strip().splitlines()[0]
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else problem
