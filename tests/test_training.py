import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from framing.errors import FramingError
from framing.training.batching import length_grouped_batches
from framing.training.config import config_from_dict
from framing.training.examples import IGNORE, marked_spans, token_targets
from framing.training.model_setup import layer_of
from framing.training.train import train

from helpers import tiny_config_dict


def test_length_grouped_batches_cover_every_index_once():
    lengths = [int(x) for x in np.random.default_rng(0).integers(3, 60, 203)]
    batches = length_grouped_batches(lengths, 16, torch.Generator().manual_seed(0))
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(203)) and max(len(b) for b in batches) == 16


def test_marked_words_become_token_targets():
    text = "An absurd, absurdly reckless plan."
    spans = marked_spans(text, ["absurd", "reckless"])
    assert [text[s:e] for s, e in spans] == ["absurd", "reckless"]  # whole words only
    offsets = [(0, 0), (0, 2), (3, 9), (11, 18), (19, 27), (0, 0)]
    assert token_targets(offsets, spans, [1, 0, 0, 0, 0, 1]) == [IGNORE, 0, 1, 0, 1, IGNORE]


def test_layer_of_orders_embeddings_layers_and_heads():
    assert layer_of("classifier.bert.embeddings.word_embeddings.weight", 6) == 0
    assert layer_of("classifier.bert.encoder.layer.3.output.dense.weight", 6) == 4
    assert layer_of("classifier.classifier.weight", 6) == 7


def test_checkpoint_is_self_describing(tiny_checkpoint):
    names = {p.name for p in tiny_checkpoint.iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "framing_heads.safetensors",
        "framing.json",
        "training_config.yaml",
        "metrics.json",
        "README.md",
        "tokenizer.json",
    } <= names
    card = (tiny_checkpoint / "README.md").read_text()
    assert card.startswith("---\nlicense:") and "base_model:" in card and "Intended use" in card
    heads = load_file(str(tiny_checkpoint / "framing_heads.safetensors"))
    assert heads["word_head.weight"].dtype == torch.float16 and "aux_head.weight" in heads


def test_training_is_deterministic_given_the_seed(tiny_base, tiny_data, tmp_path):
    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data, epochs=1))
    first = load_file(str(train(config, tmp_path / "a", progress=False) / "model.safetensors"))
    second = load_file(str(train(config, tmp_path / "b", progress=False) / "model.safetensors"))
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_a_checkpoint_records_its_data_from_the_data_root(tiny_base, tiny_data, tmp_path, monkeypatch):
    from framing.training.config import load_config

    monkeypatch.setenv("FRAMING_DATA", str(tiny_data["train"].parent))
    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data, epochs=1))
    folder = train(config, tmp_path / "out", progress=False)
    sources = {d["split"]: d["source"] for d in json.loads((folder / "metrics.json").read_text())["data"]}
    assert sources == {"train": "${FRAMING_DATA}/train.csv", "dev": "${FRAMING_DATA}/dev.csv"}
    written = (folder / "training_config.yaml").read_text()
    assert "train: ${FRAMING_DATA}/train.csv" in written and str(tiny_data["train"]) not in written
    assert load_config(folder / "training_config.yaml").data.train == str(tiny_data["train"])  # reads back here
    assert f"base: {tiny_base}" in written  # a path outside the data root stays as it is


def test_training_refuses_to_overwrite_before_working(tiny_base, tiny_data, tmp_path):
    target = tmp_path / "exists"
    target.mkdir()
    (target / "keep.txt").write_text("precious")
    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data, epochs=1))
    with pytest.raises(FramingError, match="already exists; pass --overwrite"):
        train(config, target, progress=False)
    assert (target / "keep.txt").read_text() == "precious"


def test_failed_training_leaves_no_folder(tiny_base, tiny_data, tmp_path):
    raw = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    raw["data"]["label_column"] = "opinion"  # values are not in the label mapping
    with pytest.raises(FramingError, match="unknown label"):
        train(config_from_dict(raw), tmp_path / "out", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_intermediate_stage_runs_first_with_mapped_labels(tiny_base, tiny_data, tmp_path):
    import json

    import pandas as pd

    extra = tmp_path / "npov.csv"
    pd.DataFrame(
        {
            "text": ["A plain statement of fact.", "An outrageous, biased smear.", "Another fact.", "A shameful lie."],
            "label": ["neutral", "biased", "neutral", "biased"],
        }
    ).to_csv(extra, index=False)
    raw = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    raw["intermediate"] = {
        "data": str(extra),
        "labels": {"biased": "editorializing", "neutral": "neutral"},
        "max_examples": 2,
    }
    path = train(config_from_dict(raw), tmp_path / "out", progress=False)
    log = json.loads((path / "metrics.json").read_text())["epochs"]
    assert [entry["stage"] for entry in log] == ["intermediate", "main"]


def test_intermediate_labels_must_be_main_label_names(tiny_base, tiny_data):
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["intermediate"] = {"data": "x.csv", "labels": {"biased": "slanted", "neutral": "neutral"}}
    with pytest.raises(FramingError, match="slanted"):
        config_from_dict(raw)


def test_without_dev_a_stratified_share_of_train_is_held_out(tiny_base, tiny_data, tmp_path):
    import json

    raw = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    raw["data"]["dev"] = None
    raw["data"]["dev_fraction"] = 0.25
    path = train(config_from_dict(raw), tmp_path / "out", progress=False)
    metrics = json.loads((path / "metrics.json").read_text())
    assert metrics["train_examples"] == 12 and metrics["dev_examples"] == 4
    assert metrics["dev"]["per_class"]["neutral"]["support"] == 2  # stratified: 2 of each label


def test_three_classes_with_dropped_rows_and_class_weights(tiny_base, tiny_data, tmp_path):
    import json

    import pandas as pd

    from framing import FramingClassifier

    frame = pd.read_csv(tiny_data["train"])
    frame.loc[[0, 8], "opinion"] = "No agreement"
    frame.loc[[1, 2], "opinion"] = "Somewhat factual but also opinionated"
    data = tmp_path / "opinion.csv"
    frame.to_csv(data, index=False)
    raw = tiny_config_dict(tiny_base, tiny_data, epochs=1, class_weights="balanced")
    raw["data"] = {
        "train": str(data),
        "dev": str(data),
        "label_column": "opinion",
        "drop_labels": ["No agreement"],
        "labels": {
            "Entirely factual": "factual",
            "Somewhat factual but also opinionated": "somewhat",
            "Expresses writer’s opinion": "opinion",
        },
        "words_column": "words",
    }
    path = train(config_from_dict(raw), tmp_path / "out", progress=False)
    metrics = json.loads((path / "metrics.json").read_text())
    assert metrics["train_examples"] == 14 and set(metrics["dev"]["per_class"]) == {"factual", "somewhat", "opinion"}
    classifier = FramingClassifier.from_pretrained(path)
    assert len(classifier("Some text.", top_k=None)) == 3
    # evaluation drops the same rows instead of refusing their label
    from framing.training.evaluate import evaluate

    result = evaluate(str(path), str(data), tmp_path / "report", baseline_train="auto")
    assert result["model"]["n"] == 14


def test_a_shallower_student_starts_from_the_chosen_layers_and_saves_as_a_plain_model(tiny_base, tiny_data, tmp_path):
    import json

    import torch
    from transformers import AutoModel

    from framing.predictor import FramingClassifier
    from framing.training.model_setup import build_model

    raw = tiny_config_dict(tiny_base, tiny_data, epochs=1)
    raw["model"]["keep_layers"] = [1]
    config = config_from_dict(raw)
    student = build_model(config, str(tiny_base)).classifier.base_model
    base = AutoModel.from_pretrained(tiny_base)
    assert len(student.encoder.layer) == 1
    for (name, kept), original in zip(
        student.encoder.layer[0].state_dict().items(), base.encoder.layer[1].state_dict().values()
    ):
        assert torch.equal(kept, original), name  # layer 1 of the base, not layer 0
    folder = train(config, tmp_path / "student", progress=False)
    assert json.loads((folder / "config.json").read_text())["num_hidden_layers"] == 1
    classifier = FramingClassifier.from_pretrained(folder, runtime="torch-fp32")
    assert classifier("The council met on Tuesday.")["label"] in {"neutral", "editorializing"}
    assert "fine-tuned from encoder layers 1 of" in (folder / "README.md").read_text()  # the card says so

    raw["model"]["keep_layers"] = [0, 2]
    with pytest.raises(FramingError, match=r"model.keep_layers \[0, 2\]: the base model has 2 encoder layers"):
        train(config_from_dict(raw), tmp_path / "too-deep", progress=False)
    raw["model"]["keep_layers"] = [1, 0]
    with pytest.raises(FramingError, match=r"model.keep_layers \[1, 0\]: expected distinct layer numbers"):
        config_from_dict(raw)
    assert not (tmp_path / "too-deep").exists()


def test_the_tiny_test_model_reads_words_not_unknown_tokens(tiny_base):
    from transformers import AutoTokenizer

    tokens = AutoTokenizer.from_pretrained(tiny_base).tokenize("The corrupt court rubber-stamped a ridiculous ruling.")
    assert tokens == ["the", "corrupt", "court", "rubber", "-", "stamped", "a", "ridiculous", "ruling", "."]


def test_training_device_is_checked_by_name(tiny_base, tiny_data):
    from framing.training.batching import training_device

    with pytest.raises(FramingError, match="train.device"):
        config_from_dict(tiny_config_dict(tiny_base, tiny_data, device="gpu"))
    assert config_from_dict(tiny_config_dict(tiny_base, tiny_data, device="cuda:1")).train.device == "cuda:1"
    assert training_device("cpu") == torch.device("cpu")
    if torch.cuda.is_available():
        assert training_device("auto").type == "cuda"
    else:
        assert training_device("auto") == torch.device("cpu")
        with pytest.raises(FramingError, match="sees no CUDA GPU"):
            training_device("cuda")
    with pytest.raises(FramingError, match="CUDA GPU"):
        training_device(f"cuda:{torch.cuda.device_count()}")  # one past the last GPU


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_training_on_a_gpu_writes_the_same_kind_of_checkpoint(tiny_base, tiny_data, tmp_path):
    import json

    from framing import FramingClassifier

    torch.cuda.reset_peak_memory_stats()
    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data, device="cuda", class_weights="balanced"))
    path = train(config, tmp_path / "gpu", progress=False)
    assert torch.cuda.max_memory_allocated() > 0  # the optimiser did run on the GPU
    log = json.loads((path / "metrics.json").read_text())["epochs"]
    assert len(log) == 2 and all(np.isfinite(entry["train_loss"]) for entry in log)
    result = FramingClassifier.from_pretrained(str(path))("The senator spoke on Tuesday.")
    assert result["label"] in {"neutral", "editorializing"} and 0.0 <= result["score"] <= 1.0
