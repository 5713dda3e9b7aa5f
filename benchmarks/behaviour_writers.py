"""The behaviour suite's training side: the seen part's sentences with their labels for
augmentation, the unseen part's news sentences for `framing pool --exclude`, and the seen
groups as swap sets for the counterfactuals (`python benchmarks/behaviour.py --write-...`)."""

from __future__ import annotations

from pathlib import Path

import behaviour_cases as cases
from behaviour import EDITORIAL, news_bases, suite, training_examples


def write_examples(path: Path, corpus: Path, overwrite: bool = False) -> None:
    _refuse_existing(path, overwrite)
    tests = suite("seen", corpus)
    rows = _write_csv(path, training_examples(tests, news_bases(tests)))
    print(f"{path}: {len(rows)} sentences of the seen part ({(rows.label == EDITORIAL).sum()} editorializing)")


def write_news(path: Path, corpus: Path, overwrite: bool = False) -> None:
    _refuse_existing(path, overwrite)
    tests = suite("unseen", corpus)
    rows = _write_csv(path, [{"text": s} for s in news_bases(tests)])
    print(f"{path}: {len(rows)} news sentences of the unseen part")


def write_group_terms(path: Path, overwrite: bool = False) -> None:
    _refuse_existing(path, overwrite)
    rows = _write_csv(
        path, [{"set": kind, "term": group} for kind, groups in cases.GROUPS["seen"].items() for group in groups]
    )
    print(f"{path}: {len(rows)} groups of the seen part in {rows.set.nunique()} swap sets")


def _refuse_existing(path: Path, overwrite: bool) -> None:
    """Before any work: an existing file is refused unless `overwrite`, a missing folder created."""
    from framing.errors import FramingError
    from framing.output import ensure_writable

    try:
        ensure_writable(path, overwrite=overwrite)
    except FramingError as error:
        raise SystemExit(str(error)) from None


def _write_csv(path: Path, rows: list[dict]):
    import pandas as pd

    from framing.output import atomic_file

    frame = pd.DataFrame(rows)
    with atomic_file(path) as staging:
        frame.to_csv(staging, index=False)
    return frame
