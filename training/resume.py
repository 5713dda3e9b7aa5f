"""Saved training state, so that a run killed mid-way (crash, kill -9, a pre-empted job)
continues where it stopped and ends with the same weights as an uninterrupted run.

The state is one file beside the checkpoint folder, `<output>.training-state.pt`, replaced
atomically every `train.save_state_every` optimiser steps and at the end of every epoch, and
deleted once the checkpoint folder is written. It holds the model, optimiser and scheduler
state, the random number generators (dropout and the data order), where the run is (stage,
epoch, step) and the epoch log. It is loaded with `torch.load(weights_only=True)`: tensors
and plain containers only, never arbitrary pickled objects. On a GPU (`train.device`) it holds
that device's dropout generator too, but GPU kernels are not bit-reproducible, so there a
resumed run matches an uninterrupted one only to training noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from framing.errors import FramingError
from framing.output import atomic_file
from framing.training.config import Config, as_current_yaml

FORMAT = 1


def state_path(output: str | Path) -> Path:
    output = Path(output)
    return output.parent / f"{output.name}.training-state.pt"


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Write `state` to a temporary file and rename it over `path`: a kill at any moment
    leaves either the previous state or the new one, never a torn file."""
    with atomic_file(path) as staging:  # also clears a temporary file left by a killed run
        torch.save({"format": FORMAT, **state}, staging)


def load_state(path: Path, config: Config) -> dict[str, Any]:
    """The saved state, refused if it belongs to a different config."""
    if not path.is_file():
        raise FramingError(f"{path}: no saved training state to resume from")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a truncated or foreign file; torch raises several types
        raise FramingError(f"{path}: cannot read the saved training state ({type(error).__name__}: {error})") from None
    if state.get("format") != FORMAT:
        raise FramingError(f"{path}: saved by an incompatible version of framing (format {state.get('format')})")
    saved = as_current_yaml(state["config"], str(path))  # a state saved before a release added keys still resumes
    saved, now = _recipe(saved), _recipe(config.to_yaml())
    if saved != now:
        changed = _changed_keys(saved, now)
        raise FramingError(
            f"{path}: saved with a different config (changed: {', '.join(changed)}); "
            f"resume with the same config and overrides, or pass --overwrite to start over"
        )
    return {**state, "path": str(path)}


def restore_weights(model: torch.nn.Module, saved: dict[str, Any]) -> None:
    """Put a saved state's weights into the model the config builds now. Refused in one line
    where their shapes differ: the config is the same, but a file it names changed since the
    state was saved (e.g. the technique columns, which size the jointly trained head)."""
    try:
        model.load_state_dict(saved["model"])
    except RuntimeError as error:  # torch lists every mismatch over many lines: name the first
        mismatch = next((line.strip() for line in str(error).splitlines()[1:] if line.strip()), str(error))
        raise FramingError(
            f"{saved.get('path', 'the saved training state')}: its weights do not fit the model this config "
            f"builds now ({mismatch}); a data file the config names changed since it was saved: "
            f"restore that file, or pass --overwrite to start over"
        ) from None


# Where a run computes is not what it trains: it may resume with other threads or on another
# device (another machine after a pre-emption; across devices it matches to training noise only)
MACHINE_KEYS = ("threads", "device")


def _recipe(config_yaml: str) -> str:
    """A config's YAML without the machine keys of its train section, in its own key order
    (the order of data.labels fixes the label ids)."""
    import yaml

    raw = yaml.safe_load(config_yaml)
    for key in MACHINE_KEYS:
        raw.get("train", {}).pop(key, None)
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def _changed_keys(old_yaml: str, new_yaml: str) -> list[str]:
    import yaml

    def flat(node: Any, prefix: str = "") -> dict[str, Any]:
        if not isinstance(node, dict):
            return {prefix: node}
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(flat(value, f"{prefix}.{key}" if prefix else str(key)))
        return out

    old, new = flat(yaml.safe_load(old_yaml)), flat(yaml.safe_load(new_yaml))
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return changed or ["the order of keys (e.g. of data.labels, which fixes the label ids)"]
