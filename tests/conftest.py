"""Shared fixtures: a tiny randomly initialised BERT (a few hundred KB) with its own
word-level vocabulary, the labelled sentences of tests/helpers.py, and a checkpoint trained
on them."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from helpers import EDITORIAL, FRAMES, NEUTRAL, build_tiny_base, labelled_frame, tiny_config_dict

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session", autouse=True)
def onnx_cache_of_the_session(tmp_path_factory):
    """ONNX files built on load (and re-expressed int8 graphs) go to a folder of this test
    session, not the user's ~/.cache/framing: each test's checkpoints live in temporary folders,
    so their cache entries would never be read again."""
    previous = os.environ.get("FRAMING_CACHE")
    os.environ["FRAMING_CACHE"] = str(tmp_path_factory.mktemp("framing-cache"))
    yield
    if previous is None:
        os.environ.pop("FRAMING_CACHE", None)
    else:
        os.environ["FRAMING_CACHE"] = previous


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BERT with a word-level vocabulary of the fixture sentences."""
    return build_tiny_base(tmp_path_factory.mktemp("tiny-bert"), NEUTRAL + EDITORIAL)


@pytest.fixture(scope="session")
def frames_base(tmp_path_factory) -> Path:
    """A tiny BERT whose vocabulary covers the multi-label fixture."""
    texts = pd.read_json(FRAMES, lines=True)["text"].tolist()
    return build_tiny_base(tmp_path_factory.mktemp("frames-bert"), texts)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("data")
    frame = labelled_frame()
    paths = {"train": folder / "train.csv", "dev": folder / "dev.csv"}
    frame.to_csv(paths["train"], index=False)
    frame.sample(frac=1.0, random_state=1).to_csv(paths["dev"], index=False)
    return paths


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_base, tiny_data, tmp_path_factory) -> Path:
    from framing.training.config import config_from_dict
    from framing.training.train import train

    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data))
    return train(config, tmp_path_factory.mktemp("ckpt") / "tiny", progress=False)


@pytest.fixture(scope="session")
def exported(tiny_checkpoint, tmp_path_factory):
    """A copy of the tiny checkpoint with every ONNX file built beside its weights."""
    import shutil

    from framing.onnx_build import export_onnx

    folder = shutil.copytree(tiny_checkpoint, tmp_path_factory.mktemp("onnx") / "ckpt")
    written = export_onnx(folder)
    assert set(written) == {"onnx-fp32", "onnx-int8", "onnx-int8-full"} and all(p.is_file() for p in written.values())
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no scratch left behind
    return folder


@pytest.fixture(scope="session")
def shipped():
    """The shipped accurate model, the default of the article surfaces, loaded once (integration tests)."""
    from framing import FramingClassifier

    from helpers import ACCURATE

    return FramingClassifier.from_pretrained(ACCURATE)


@pytest.fixture(scope="session")
def technique_checkpoint(exported, tmp_path_factory) -> Path:
    """The tiny checkpoint (with its ONNX files, int8 back end named) plus a technique head
    trained by `framing techniques` on technique_frame()."""
    from framing.checkpoint import update_meta
    from framing.training.add_techniques import add_techniques
    from framing.training.config import TechniqueConfig

    from helpers import technique_config_dict

    folder = tmp_path_factory.mktemp("techniques")
    source = folder / "source"
    import shutil

    shutil.copytree(exported, source)
    update_meta(source, {"runtime": {"name": "onnx-int8-full"}})
    config = TechniqueConfig(**technique_config_dict(folder))
    add_techniques(source, config, folder / "with-techniques")
    return folder / "with-techniques"


@pytest.fixture(scope="session")
def without_techniques(tmp_path_factory):
    """The shipped accurate model with its technique head taken out of framing.json: a model as
    older checkpoints are, labelling real sentences (integration tests)."""
    import shutil

    from framing import FramingClassifier
    from framing.checkpoint import update_meta

    from helpers import ACCURATE

    folder = shutil.copytree(ACCURATE, tmp_path_factory.mktemp("headless") / "accurate")
    update_meta(folder, {"techniques": None})
    return FramingClassifier.from_pretrained(folder)
