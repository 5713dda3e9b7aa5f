"""training.base_model: a model zip split over several packages is joined, unzipped and
verified once into the cache, and refused when its weights are not the official ones."""

from __future__ import annotations

import io
import zipfile

import pytest

from framing.errors import FramingError
from framing.hashing import sha256_of
from framing.training import base_model
from framing.training.base_model import SplitZip, resolve_base_model

NAME = "someone/tiny-split-model"


@pytest.fixture
def split_parts(tmp_path, monkeypatch):
    """A Hugging Face folder zipped and cut into 3 parts, each 'installed' as a distribution."""
    weights = b"safetensors bytes " * 1000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tiny-split-model/model.safetensors", weights)
        archive.writestr("tiny-split-model/config.json", '{"model_type": "bert"}')
    data = buffer.getvalue()
    third = len(data) // 3 + 1
    parts = {}
    for number in range(3):
        part = tmp_path / "site" / f"model.zip.{number + 1:03d}"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(data[number * third : (number + 1) * third])
        parts[f"tiny-part-{number + 1}"] = part
    monkeypatch.setattr(base_model, "part_file", lambda dist: parts.get(dist))
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    (tmp_path / "w").write_bytes(weights)
    return tuple(parts), sha256_of(tmp_path / "w")


def test_split_parts_are_joined_verified_and_cached(split_parts, monkeypatch, tmp_path):
    distributions, sha = split_parts
    monkeypatch.setitem(base_model.PACKAGED_MODELS, NAME, SplitZip(distributions, sha))
    folder = resolve_base_model(NAME)
    assert sha256_of(f"{folder}/model.safetensors") == sha and (tmp_path / "cache").exists()
    monkeypatch.setattr(base_model, "part_file", lambda dist: pytest.fail("the parts are read again"))
    assert resolve_base_model(NAME) == folder  # the second time, straight from the cache


def test_parts_that_are_not_the_official_weights_are_refused_and_leave_nothing(split_parts, monkeypatch, tmp_path):
    distributions, _ = split_parts
    monkeypatch.setitem(base_model.PACKAGED_MODELS, NAME, SplitZip(distributions, "0" * 64))
    with pytest.raises(FramingError, match="does not match the official"):
        resolve_base_model(NAME)
    assert not [p for p in (tmp_path / "cache" / "base-models").iterdir()]


def test_some_parts_missing_names_them_and_none_installed_falls_back_to_the_hub(split_parts, monkeypatch):
    distributions, sha = split_parts
    monkeypatch.setitem(base_model.PACKAGED_MODELS, NAME, SplitZip(distributions + ("tiny-part-4",), sha))
    with pytest.raises(FramingError, match=r"parts missing \(tiny-part-4\); pip install \"framing\[teacher\]\""):
        resolve_base_model(NAME)
    monkeypatch.setitem(base_model.PACKAGED_MODELS, NAME, SplitZip(("not-installed-1", "not-installed-2"), sha))
    assert resolve_base_model(NAME) == NAME
