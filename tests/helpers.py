"""Shared test data and helpers (tests import them from here; conftest.py holds the fixtures):
hand-written labelled sentences, a tiny randomly initialised BERT builder and a training config."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
BABE = REPO.parent / "shared" / "data" / "babe"
FAST = REPO / "checkpoints" / "babe-minilm"  # the shipped models: `fast` for corpora
ACCURATE = REPO / "checkpoints" / "babe-mpnet"  # `accurate`, the default where people read one article

NEUTRAL = [
    "The senator spoke on Tuesday about the budget.",
    "The committee released its annual report.",
    "Officials said the bridge will reopen in May.",
    "The company reported quarterly earnings of two billion dollars.",
    "The secretary met foreign ministers in Geneva.",
    "Voters in the state will choose a governor next year.",
    "The court heard arguments in the case on Monday.",
    "The mayor announced a new plan for public transit.",
]
EDITORIAL = [
    "The senator's apologist foreign policy was another humiliating retreat.",
    "The committee's shameful report is a disgraceful cover-up.",
    "Officials bizarrely claim the crumbling bridge is safe.",
    "The greedy company boasted of obscene profits.",
    "The secretary's disastrous trip was an embarrassing failure.",
    "Radical extremists want to destroy the state.",
    "The corrupt court rubber-stamped a ridiculous ruling.",
    "The mayor's absurd scheme is a reckless waste.",
]
MARKED = [
    ["apologist", "humiliating"],
    ["shameful", "disgraceful"],
    ["bizarrely", "crumbling"],
    ["greedy", "obscene"],
    ["disastrous", "embarrassing"],
    ["radical", "extremists"],
    ["corrupt", "ridiculous"],
    ["absurd", "reckless"],
]


def labelled_frame() -> pd.DataFrame:
    rows = [
        {"text": t, "label": "Non-biased", "words": "[]", "opinion": "Entirely factual", "votes": 1, "annotators": 5}
        for t in NEUTRAL
    ]
    rows += [
        {
            "text": t,
            "label": "Biased",
            "words": repr(w),
            "opinion": "Expresses writer’s opinion",
            "votes": 4,
            "annotators": 5,
        }
        for t, w in zip(EDITORIAL, MARKED)
    ]
    return pd.DataFrame(rows)


FRAMES = REPO / "tests" / "fixtures" / "frames.jsonl"


def build_tiny_base(folder: Path, texts: list[str]) -> Path:
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = sorted({w.strip(".,'").lower() for t in texts for w in t.replace("-", " ").split()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "'", "-", "s"] + words
    # transformers 5 takes the vocabulary itself (`vocab_file=` is silently ignored, leaving every word [UNK])
    tokenizer = BertTokenizerFast(vocab={word: index for index, word in enumerate(vocab)})
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    import torch

    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def tiny_config_dict(tiny_base: Path, tiny_data: dict[str, Path], **train) -> dict:
    return {
        "name": "tiny",
        "data": {
            "train": str(tiny_data["train"]),
            "dev": str(tiny_data["dev"]),
            "label_column": "label",
            "labels": {"Non-biased": "neutral", "Biased": "editorializing"},
            "words_column": "words",
            "aux_label_column": "opinion",
            "aux_labels": {"Entirely factual": "factual", "Expresses writer’s opinion": "opinion"},
            "votes_column": "votes",
            "annotators_column": "annotators",
            "votes_for": "editorializing",
        },
        "model": {"base": str(tiny_base), "max_length": 32},
        "train": {
            "epochs": 2,
            "batch_size": 4,
            "lr": 1e-3,
            "seed": 7,
            "word_loss_weight": 0.5,
            "aux_loss_weight": 0.5,
            "soft_label_weight": 0.5,
            "layer_decay": 0.9,
            "device": "cpu",  # bit-for-bit tests (resume, determinism) hold on the CPU only
            **train,
        },
    }


def benchmark_module(name: str):
    """A script of benchmarks/ imported as a module, for tests of its measuring functions."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(f"framing_benchmark_{name}", REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
