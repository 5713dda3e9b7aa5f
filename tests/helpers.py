"""Shared test data and helpers (tests import them from here; conftest.py holds the fixtures):
hand-written labelled sentences, a tiny randomly initialised BERT builder and a training config,
corpus files and teacher score files, the `framing` command run in-process, and a call that
stops a job part of the way through."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits [N, C]."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


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


def corpus_frame(rows: int) -> pd.DataFrame:
    """A corpus of `rows` texts of varied lengths (body) with their ids (doc_id)."""
    sentences = NEUTRAL + EDITORIAL
    # lengths vary, so length-sorted batching inside the predictor would scramble a careless writer
    texts = [" ".join([sentences[i % 16]] * (1 + i % 3)) for i in range(rows)]
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(rows)], "body": texts})


def write_input(frame: pd.DataFrame, path) -> None:
    """`frame` as the corpus file `path` names by its suffix."""
    {
        ".csv": lambda: frame.to_csv(path, index=False),
        ".jsonl": lambda: frame.to_json(path, orient="records", lines=True, force_ascii=False),
        ".parquet": lambda: frame.to_parquet(path),
    }[path.suffix]()


def read_output(path) -> pd.DataFrame:
    """A scored corpus file as one frame (JSONL scores flattened to scores.LABEL columns)."""
    if path.suffix == ".jsonl":
        frame = pd.read_json(path, lines=True)
        return pd.concat(
            [frame.drop(columns="scores"), pd.json_normalize(frame["scores"]).add_prefix("scores.")], axis=1
        )
    return pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)


def interrupted(real, on_call: int, error: type[BaseException] = KeyboardInterrupt):
    """`real` that raises `error` on its `on_call`-th call (counted from 1) instead of running:
    a job interrupted (Ctrl-C, a crash) part of the way through."""
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == on_call:
            raise error
        return real(*args, **kwargs)

    return wrapper


FRAMES = REPO / "tests" / "fixtures" / "frames.jsonl"


def score_file(tmp_path: Path, name: str, texts: list[str], editorializing: float) -> str:
    """A teacher's score file (as `framing predict --input` writes it): every text scored
    `editorializing` with that probability, saved as Parquet under `tmp_path`."""
    frame = pd.DataFrame(
        {
            "text": texts,
            "label": "x",
            "score": 0.0,
            "scores.neutral": 1 - editorializing,
            "scores.editorializing": editorializing,
        }
    )
    path = tmp_path / name
    frame.to_parquet(path)
    return str(path)


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


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """`framing ARGV` in this process: its exit status, standard output and standard error."""
    from framing.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def technique_frame() -> pd.DataFrame:
    """Passages with 0/1 technique columns: every editorial sentence uses loaded language, half
    of them doubt, one a technique too rare to learn (folded into Other_Technique)."""
    texts = NEUTRAL + EDITORIAL
    return pd.DataFrame(
        {
            "text": texts * 2,
            "Loaded_Language": ([0] * len(NEUTRAL) + [1] * len(EDITORIAL)) * 2,
            "Doubt": ([0] * len(NEUTRAL) + [1, 0] * (len(EDITORIAL) // 2)) * 2,
            "Slogans": [0] * (2 * len(texts) - 1) + [1],
            "techniques": ["listed"] * (2 * len(texts)),  # a text column the config ignores
        }
    )


def technique_config_dict(folder: Path, **section) -> dict:
    frame = technique_frame()
    frame.to_csv(folder / "techniques.csv", index=False)
    return {
        "train": str(folder / "techniques.csv"),
        "dev": str(folder / "techniques.csv"),
        "ignore_columns": ["techniques"],
        "min_support": 2,
        "layers": 1,  # a copied layer: the slowest path, and the one that could change other outputs
        "hidden": 16,
        "epochs": 3,
        "lr": 1e-3,
        "head_lr": 1e-2,
        "batch_size": 4,
        **section,
    }


THREE_LABELS = [
    {"factual": 0.5, "opinion": 0.3, "editorializing": 0.2},
    {"factual": 0.1, "opinion": 0.2, "editorializing": 0.7},
]


def three_label_answer(text: str, scores: list[dict] = THREE_LABELS, marks_words: bool = False) -> dict:
    """What /v1/analyze answers for `text`'s two sentences (characters 0-18 and 19-36) from a
    model of three labels with these `scores`, trained without marked words unless `marks_words`."""
    sentences = [
        {
            "index": i,
            "start": a,
            "end": b,
            "text": text[a:b],
            "label": max(s, key=s.get),
            "score": max(s.values()),
            "scores": s,
            "quoted": False,
            "truncated": False,
            "highlights": [],
        }
        for i, ((a, b), s) in enumerate(zip([(0, 18), (19, 36)], scores))
    ]
    return {
        "title": None,
        "source_format": "text",
        "text": text,
        "text_length": len(text),
        "marks_words": marks_words,
        "labels": list(scores[0]),
        "flag_label": "editorializing",
        "sentences": sentences,
        "summary": {
            "sentences": 2,
            "editorializing_sentences": 1,
            "editorializing_share": 0.5,
            "editorializing_share_by_length": 0.5,
            "mean_probability": 0.45,
            "author_voice_editorializing": 1,
            "quoted_editorializing": 0,
            "top_sentences": [],
        },
    }


def articles_frame(count: int) -> pd.DataFrame:
    """`count` articles of two to five of the test sentences, with an id and one of three outlets."""
    sentences = NEUTRAL + EDITORIAL
    texts = [" ".join(sentences[(i + j) % len(sentences)] for j in range(2 + i % 4)) for i in range(count)]
    return pd.DataFrame(
        {"doc_id": [f"a{i}" for i in range(count)], "outlet": [f"o{i % 3}" for i in range(count)], "body": texts}
    )


def score_articles(classifier, frame, tmp_path, suffix, chunk_size=3, **options):
    """An article job (framing predict --articles) of `frame` under `tmp_path`: (summary, output)."""
    from framing.corpus import LocalEngine, score_corpus

    tmp_path.mkdir(parents=True, exist_ok=True)
    source, output = tmp_path / "in.parquet", tmp_path / f"scored{suffix}"
    if not source.exists():  # a resumed job reads the same file
        frame.to_parquet(source)
    summary = score_corpus(
        LocalEngine(classifier, articles=True),
        source,
        output,
        model=classifier.provenance(),
        text_column="body",
        keep_columns=["doc_id", "outlet"],
        chunk_size=chunk_size,
        progress=False,
        **options,
    )
    return summary, output
