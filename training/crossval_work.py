"""Cross-validation's resumable work folder: claiming it for one run (the spec and data it
was started with), each fold's kept scores, and reading a kept run back for later analyses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import numpy as np
import yaml

from framing.errors import FramingError
from framing.output import atomic_file
from framing.training.config import Config, as_current_yaml, config_from_dict
from framing.training.config_files import local_path, portable_path
from framing.training.training_data import data_provenance

# The figures crossval gives, with their printed names: each scorer's, each metric.


# The run's data records in run.json: the recipe's and each fold teacher's (data_provenance lists)
DATA_KEYS = {"data", "teacher_data"}


# The splits a kept run's analysis reads again (crossval.prepare): not counterfactual terms or distillation scores
READ_BY_PREPARE = {"train", "extra train", "mixed", "dev", "intermediate"}


def claim_work(work: Path, spec: dict, resume: bool) -> None:
    """Mark `work` as this run's; a resumed run must be the same run (config, teachers, folds,
    seed, grouping, data files' sha256), or its kept folds would mix two experiments."""
    marker = work / "run.json"
    if resume and marker.is_file():
        kept = json.loads(marker.read_text())
        # configs compare as configs: a run kept before a release added keys with defaults is the same run
        for key, value in kept.items():
            if key == "config" and isinstance(value, str):
                kept[key] = as_current_yaml(value, "run.json")
            elif key == "teachers" and isinstance(value, list):
                kept[key] = [as_current_yaml(t, "run.json") for t in value]
            elif key == "data" and isinstance(value, list):
                kept[key] = as_current_records(value)
            elif key == "teacher_data" and isinstance(value, list):
                kept[key] = [as_current_records(records) for records in value]
        for key in DATA_KEYS & spec.keys():  # a run kept before run.json recorded its data's sha256: no check
            kept.setdefault(key, spec[key])
        changed = [key for key in spec if kept.get(key) != spec[key]]
        if changed:
            detail = "; ".join(data_changes(kept, spec))
            raise FramingError(
                f"{work}: kept folds of a different run (changed: {', '.join(changed)}"
                f"{': ' + detail if detail else ''}); resume with the same config, teachers, "
                f"options and data files, or pass --overwrite to start over"
            )
        return
    work.mkdir(parents=True, exist_ok=True)
    with atomic_file(marker) as staging:
        staging.write_text(json.dumps(spec, indent=2) + "\n")


def as_current_records(records: list[dict]) -> list[dict]:
    """Data records (data_provenance's) with each source written as this release writes it, from
    the data root: a run kept when sources were recorded as local paths is the same run."""
    return [{**r, "source": portable_path(local_path(r["source"]))} if isinstance(r, dict) else r for r in records]


def data_changes(kept: dict, spec: dict) -> list[str]:
    """What changed in a run's data records: the recipe's files, then each teacher's by number."""
    changes = changed_data(kept.get("data", []), spec.get("data", []))
    for number, (was, now) in enumerate(zip(kept.get("teacher_data", []), spec.get("teacher_data", [])), start=1):
        changes += [f"teacher {number}: {change}" for change in changed_data(was, now)]
    return changes


def reread(records: list[dict]) -> list[dict]:
    """The data records of the files an analysis of kept folds reads again (crossval.prepare)."""
    return [r for r in records if r["split"] in READ_BY_PREPARE]


def changed_data(kept: list[dict], now: list[dict]) -> list[str]:
    """The data sources (data_provenance records) whose sha256 differs from the kept run's, each
    as "SOURCE (sha256 KEPT..., now NOW...)", or "SOURCE: not found" where the file is gone
    (paths are read from the current directory); sources added or dropped by name."""
    was = {(r["split"], r["source"]): r["sha256"] for r in kept}
    is_ = {(r["split"], r["source"]): r["sha256"] for r in now}

    def short(digest: Optional[str]) -> str:
        return f"{digest[:12]}..." if digest else "none"

    def why(split: str, source: str) -> str:
        before, after = was.get((split, source)), is_.get((split, source))
        if before and after is None and not Path(local_path(source)).exists():
            return f"{source}: not found (from {Path.cwd()})"
        return f"{source} (sha256 {short(before)}, now {short(after)})"

    return [why(*key) for key in dict.fromkeys([*was, *is_]) if was.get(key) != is_.get(key)]


def save_fold(path: Path, row: dict, scored: tuple) -> None:
    """The fold's row and held-out probabilities; its teachers' are in their own files beside it."""
    with atomic_file(path) as staging, open(staging, "wb") as handle:
        np.savez(handle, row=np.array(json.dumps(row)), test_idx=scored[0], model=scored[1], baseline=scored[2])


def load_fold(path: Path) -> tuple[dict, tuple]:
    """A kept fold: its row and (held-out rows [n], model [n, C], baseline [n, C], each fold
    teacher's [n, C], from the fold-N-teacher-K.npz files beside it)."""
    with np.load(path) as saved:
        row, scored = json.loads(str(saved["row"])), (saved["test_idx"], saved["model"], saved["baseline"])
    teachers = sorted(path.parent.glob(f"fold-{row['fold']}-teacher-*.npz"), key=lambda p: int(p.stem.split("-")[-1]))
    return row, (*scored, [held_out_scores(teacher) for teacher in teachers])


def kept_run(folder: Path) -> tuple[Config, Optional[str], dict[int, tuple[dict, tuple]]]:
    """A run's kept folds, for analyses after it (benchmarks/crossval_*.py): its config and
    grouping from run.json, and each kept fold's (row, scored) by fold number. The analyses
    read the data the config names as it is today, so a data file changed since the run (its
    sha256, where run.json records it) is refused."""
    marker = folder / "run.json"
    if not marker.is_file():
        raise FramingError(f"{folder}: not a crossval run's kept folds (no run.json)")
    try:
        run = json.loads(marker.read_text(encoding="utf-8"))
        kept_config = yaml.safe_load(run["config"])
    except (json.JSONDecodeError, yaml.YAMLError, KeyError, TypeError) as error:
        raise FramingError(f"{marker}: not a crossval run's record ({type(error).__name__}: {error})") from None
    config = config_from_dict(kept_config, str(marker))  # keys added since the run take their defaults
    if "data" in run:  # only the files the analyses read again; hub datasets (no sha256) are not checked
        stale = changed_data(reread(as_current_records(run["data"])), reread(data_provenance(config)))
        if stale:
            raise FramingError(f"{folder}: data changed since the run: {'; '.join(stale)}")
    folds = {}
    for path in folder.glob("fold-*.npz"):
        if "teacher" not in path.stem:
            row, scored = load_fold(path)
            folds[row["fold"]] = (row, scored)
    if not folds:
        raise FramingError(f"{folder}: no kept folds (fold-N.npz)")
    return config, run.get("group_by"), dict(sorted(folds.items()))


def held_out_scores(path: Path) -> np.ndarray:
    """A kept fold teacher's probabilities on the held-out rows [n, C]."""
    with np.load(path) as saved:
        return saved["test"]


def _in(work: Optional[Path], name: str) -> Optional[Path]:
    """A file of the run's work folder (made by claim_work), or None without one."""
    return None if work is None else work / name
