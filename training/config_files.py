"""Training config files as raw mappings, before training.config types them: `extends:` chains
merged, the data root in data paths, and `--set` overrides.

A config may name another, `extends: babe.yaml` (a path from the file's own folder), and hold
only what differs from it: a section (`data`, `train`, `data.about`, ...) merges key by key,
and a value replaces the parent's: a number, a string, null, a list (`mixed`, `extra_train`)
or a mapping that is one setting (`labels`). The parent may extend another in turn.

Data paths may start with `${FRAMING_DATA}`, the data root: the environment variable of that
name, else ../shared/data, where the project's data has always been (from the repository, as
every relative path is taken from the current folder). Configs and checkpoints name data files
from it, so that neither holds the paths of one machine.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from framing.errors import FramingError, yaml_problem

DATA_ROOT_VARIABLE = "FRAMING_DATA"
DEFAULT_DATA_ROOT = "../shared/data"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def data_root() -> str:
    """$FRAMING_DATA, else ../shared/data (from the current folder), without a trailing slash."""
    return (os.environ.get(DATA_ROOT_VARIABLE) or DEFAULT_DATA_ROOT).rstrip("/") or "/"


def expand_data_root(path: str) -> str:
    """`path` with `${FRAMING_DATA}` replaced by the data root. Any other `${NAME}` is refused
    (ValueError), so that a typo never silently becomes a folder name."""

    def value(match: re.Match) -> str:
        if match.group(1) != DATA_ROOT_VARIABLE:
            raise ValueError(f"unknown variable ${{{match.group(1)}}}; the one known is ${{{DATA_ROOT_VARIABLE}}}")
        return data_root()

    return _VARIABLE.sub(value, path)


def local_path(source):
    """A recorded source (`${FRAMING_DATA}/babe/dev.csv`) as a path on this machine; anything
    else (another `${NAME}`, not a string) as it is, so that it never equals a config's path."""
    try:
        return expand_data_root(source) if isinstance(source, str) else source
    except ValueError:
        return source


def portable_path(path: str) -> str:
    """`path` written from the data root (`${FRAMING_DATA}/babe/dev.csv`) where the file lies
    under it, for what a checkpoint records; any other path or hub id as it is."""
    root, where = os.path.abspath(data_root()), os.path.abspath(path)
    if where == root or os.path.commonpath([root, where]) != root or not os.path.exists(path):
        return path  # outside the root, or not a file here (a hub id such as mediabiasgroup/BABE)
    return f"${{{DATA_ROOT_VARIABLE}}}/{Path(os.path.relpath(where, root)).as_posix()}"


def read_config_file(path: Path, sections: dict[str, dict], children: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The raw mapping of a YAML config over the one it `extends` (read the same way, so chains
    work). `sections`: the keys that are sections, nested (see merge_configs); `children`: the
    files that extend this one, to refuse a cycle by naming them."""
    if not path.is_file():
        raise FramingError(
            f"{children[-1]}: 'extends': no such file {path}" if children else f"config file not found: {path}"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise FramingError(f"{path}: not valid YAML ({yaml_problem(error)})") from None
    if not isinstance(raw, dict):
        raise FramingError(f"{path}: expected a mapping of sections at the top level")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent.strip():
        raise FramingError(f"{path}: 'extends': expected the file name of another config, got {parent!r}")
    parent_path, chain = path.parent / parent, (*children, path)
    if any(parent_path.resolve() == seen.resolve() for seen in chain):
        raise FramingError(f"{path}: 'extends' makes a cycle: {' -> '.join(map(str, [*chain, parent_path]))}")
    base = read_config_file(parent_path, sections, chain)
    versions = raw.get("version", 1), base.get("version", 1)
    if versions[0] != versions[1]:  # the schema migrations run on the merged mapping: one version
        raise FramingError(
            f"{path}: 'version' {versions[0]!r} differs from {versions[1]!r} in {parent_path}, "
            f"which it extends; write both in one schema version"
        )
    return merge_configs(base, raw, sections)


def merge_configs(base: dict[str, Any], child: dict[str, Any], sections: dict[str, dict]) -> dict[str, Any]:
    """`child` over `base`: a key of `sections` that is a mapping in both merges key by key (its
    own sections nested in `sections[key]`); anything else replaces. A label mapping is replaced
    whole, or a child could never drop a label; a list too (mixed sources, extra files), as
    which items to keep is the child's choice."""
    merged = dict(base)
    for key, value in child.items():
        both = key in sections and isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = merge_configs(merged[key], value, sections[key]) if both else value
    return merged


def apply_override(raw: dict[str, Any], assignment: str) -> None:
    """Apply one `section.key=value` override in place; the value is parsed as a YAML scalar. A
    number after a list names one of its items: `mixed.0.max_examples=9000`."""
    key, sep, value = assignment.partition("=")
    if not sep or not key.strip():
        raise FramingError(f"override '{assignment}': expected KEY=VALUE, e.g. train.lr=3e-5")
    *parents, leaf = key.strip().split(".")
    node = raw
    for part in parents:
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                raise FramingError(f"override '{assignment}': '{part}' is not an item of a list of {len(node)}")
            child = node[int(part)]
        else:
            child = node.setdefault(part, {})
        if not isinstance(child, (dict, list)):
            raise FramingError(f"override '{assignment}': '{part}' is not a section")
        node = child
    if isinstance(node, list):
        raise FramingError(f"override '{assignment}': '{leaf}' would replace a list item; set its keys instead")
    try:
        node[leaf] = yaml.safe_load(value)
    except yaml.YAMLError as error:
        raise FramingError(
            f"override '{assignment}': the value of '{key.strip()}' is not valid YAML ({yaml_problem(error)})"
        ) from None
