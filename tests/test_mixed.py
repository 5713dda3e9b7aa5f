"""Mixed sources (config `mixed`): labelled data of another source, e.g. anno-lexical's machine
labels, trained on at its own weight beside the gold rows, never evaluated on; and the rule for
a sentence two sources label differently (`data.on_disagreement`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from framing.errors import FramingError
from framing.training.config import config_from_dict

from helpers import EDITORIAL, NEUTRAL, tiny_config_dict


def machine_labelled(path, rows: list[tuple[str, str, str]]):
    """A file in anno-lexical's layout: text, outlet, label_bias (Biased / Non-biased)."""
    pd.DataFrame(rows, columns=["text", "outlet", "label_bias"]).to_parquet(path)
    return str(path)


def with_mixed(tiny_base, tiny_data, path, **source) -> dict:
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["mixed"] = [
        {
            "data": path,
            "label_column": "label_bias",
            "labels": {"Biased": "editorializing", "Non-biased": "neutral"},
            **source,
        }
    ]
    return raw


def test_mixed_rows_join_the_training_rows_at_their_weight_with_labels_in_the_main_order(
    tiny_base, tiny_data, tmp_path
):
    from transformers import AutoTokenizer

    from framing.checkpoint import CheckpointMeta
    from framing.training.model_card import render_model_card
    from framing.training.training_data import load_examples

    path = machine_labelled(
        tmp_path / "anno.parquet",
        [
            ("The mayor spoke on Monday about the plan.", "a", "Non-biased"),
            ("The mayor's absurd plan is a disgrace.", "b", "Biased"),
            ("The vote is on Friday.", "a", "Non-biased"),
        ],
    )
    config = config_from_dict(with_mixed(tiny_base, tiny_data, path, weight=0.25))
    train, _ = load_examples(config, AutoTokenizer.from_pretrained(tiny_base))
    gold = len(train) - 3
    assert train.texts[gold:] == [
        "The mayor spoke on Monday about the plan.",
        "The mayor's absurd plan is a disgrace.",
        "The vote is on Friday.",
    ]
    names = config.data.label_names  # neutral, editorializing: the main file's order
    assert [names[i] for i in train.labels[gold:]] == ["neutral", "editorializing", "neutral"]
    assert train.weight.tolist() == [1.0] * gold + [0.25] * 3
    assert (np.asarray(train.aux_labels[gold:]) == -100).all()  # no opinion label: that head learns nothing there
    meta = CheckpointMeta(labels=names, label_mapping=config.data.labels).model_dump()
    card = render_model_card(config, meta, {"dev": {}})
    assert f"mixed into that stage: `{path}` (all rows" in card and "weighing 0.25 of a gold one" in card

    sampled = config_from_dict(with_mixed(tiny_base, tiny_data, path, max_examples=2))
    train, _ = load_examples(sampled, AutoTokenizer.from_pretrained(tiny_base))
    assert sorted(train.labels[len(train) - 2 :].tolist()) == [0, 1]  # one row of each class


def test_a_row_counts_in_the_loss_at_its_weight(tiny_base, tiny_data):
    from framing.training.losses import _sentence_loss

    config = config_from_dict(tiny_config_dict(tiny_base, tiny_data, soft_label_weight=0.0))
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.3], [-1.0, 1.0]])
    labels = torch.tensor([1, 0, 1])
    per_row = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    weighted = _sentence_loss(logits, {"labels": labels, "weight": torch.tensor([1.0, 0.5, 0.0])}, config, None, None)
    assert weighted.item() == pytest.approx(((per_row[0] + 0.5 * per_row[1]) / 1.5).item())
    plain = _sentence_loss(logits, {"labels": labels}, config, None, None)
    assert plain.item() == pytest.approx(per_row.mean().item())


@pytest.mark.parametrize(
    "rule, kept", [("keep", {"neutral", "editorializing"}), ("first", {"neutral"}), ("drop", set())]
)
def test_a_sentence_two_sources_label_differently_follows_the_rule(tiny_base, tiny_data, tmp_path, rule, kept):
    from transformers import AutoTokenizer

    from framing.training.training_data import load_examples

    disputed = NEUTRAL[0]  # neutral in the gold file; the machine labels call it biased
    path = machine_labelled(
        tmp_path / "anno.parquet", [("  " + disputed.upper(), "a", "Biased"), (EDITORIAL[0], "a", "Biased")]
    )  # agrees: always kept
    raw = with_mixed(tiny_base, tiny_data, path)
    raw["data"]["on_disagreement"] = rule
    config = config_from_dict(raw)
    train, _ = load_examples(config, AutoTokenizer.from_pretrained(tiny_base))
    names = config.data.label_names
    labels = {
        names[label]
        for text, label in zip(train.texts, train.labels)
        if " ".join(text.lower().split()) == disputed.lower()
    }
    assert labels == kept
    assert sum(text == EDITORIAL[0] for text in train.texts) == 2


def test_mixed_labels_must_map_to_the_main_names_and_keys_are_checked(tiny_base, tiny_data, tmp_path):
    raw = with_mixed(tiny_base, tiny_data, "anno.parquet")
    raw["mixed"][0]["labels"] = {"Biased": "biased", "Non-biased": "neutral"}
    with pytest.raises(FramingError, match=r"mixed.0.labels maps to names not in data.labels: \['biased'\]"):
        config_from_dict(raw)
    raw = with_mixed(tiny_base, tiny_data, "anno.parquet", wieght=0.5)
    with pytest.raises(FramingError, match=r"unknown key 'mixed.0.wieght'"):
        config_from_dict(raw)
    raw = with_mixed(tiny_base, tiny_data, "anno.parquet")
    raw["data"]["on_disagreement"] = "last"
    with pytest.raises(FramingError, match=r"'data.on_disagreement'"):
        config_from_dict(raw)


def test_crossval_trains_every_fold_on_the_mixed_rows_less_the_held_out_outlets(tiny_base, tiny_data, tmp_path):
    from framing.training.crossval_recipe import fold_training, prepare

    frame = pd.read_csv(tiny_data["train"])
    frame["outlet"] = ["The Daily Beast" if i % 2 else "Fox News" for i in range(len(frame))]
    frame.to_csv(tmp_path / "train.csv", index=False)
    path = machine_labelled(
        tmp_path / "anno.parquet",
        [
            ("The council met on Monday.", "daily-beast", "Non-biased"),
            ("The shameful council lied again.", "fox-news", "Biased"),
            ("The council will vote on Friday.", "reason", "Non-biased"),
        ],
    )
    raw = with_mixed(
        tiny_base, {"train": tmp_path / "train.csv", "dev": tiny_data["dev"]}, path, group_column="outlet", weight=0.5
    )
    raw["data"].pop("dev")
    recipe, groups, _ = prepare(config_from_dict(raw), group_by="outlet")
    assert set(groups) == {"daily beast", "fox news"}  # the mixed rows are never among the rows folds hold out
    rows = np.arange(4)
    every = fold_training(recipe, rows, None)
    assert every.texts[4:] == [
        "The council met on Monday.",
        "The shameful council lied again.",
        "The council will vote on Friday.",
    ]
    assert every.weight.tolist() == [1.0] * 4 + [0.5] * 3
    beast_out = fold_training(recipe, rows, ["daily beast"])  # "daily-beast" is that outlet too
    assert beast_out.texts[4:] == ["The shameful council lied again.", "The council will vote on Friday."]


def test_leave_outlet_crossval_trains_the_intermediate_stage_per_fold_without_the_held_out_outlets(
    tiny_base, tiny_data, tmp_path, monkeypatch
):
    """With a group column on the intermediate stage and --group-by, each fold's stage never sees
    the outlets that fold holds out (its state kept in the work folder until the fold is done);
    without one, the stage runs once for every fold."""
    from framing.training import train as train_module
    from framing.training.crossval import crossval

    frame = pd.read_csv(tiny_data["train"])
    frame["outlet"] = ["The Daily Beast" if i % 2 else "Fox News" for i in range(len(frame))]
    frame.to_csv(tmp_path / "train.csv", index=False)
    path = machine_labelled(
        tmp_path / "anno.parquet",
        [
            ("The council met on Monday.", "daily-beast", "Non-biased"),
            ("The shameful council lied again.", "fox-news", "Biased"),
            ("The council will vote on Friday.", "reason", "Non-biased"),
            ("A disgraceful, cowardly vote.", "reason", "Biased"),
        ],
    )
    raw = tiny_config_dict(
        tiny_base, {"train": tmp_path / "train.csv", "dev": tiny_data["dev"]}, epochs=1, select="last"
    )
    raw["data"].pop("dev")
    raw["intermediate"] = {
        "data": path,
        "label_column": "label_bias",
        "group_column": "outlet",
        "labels": {"Biased": "editorializing", "Non-biased": "neutral"},
    }
    seen = []
    original = train_module.run_stage
    monkeypatch.setattr(
        train_module,
        "run_stage",
        lambda *args, **kwargs: (
            args[8] == "intermediate" and seen.append(sorted(args[2].texts)),
            original(*args, **kwargs),
        )[1],
    )
    work = tmp_path / "cv.folds"
    result = crossval(config_from_dict(raw), folds=2, group_by="outlet", work=work)
    held_out = [fold["held_out_groups"] for fold in result["folds"]]
    assert sorted(map(tuple, held_out)) == [("daily beast",), ("fox news",)]
    without = {"daily beast": "The council met on Monday.", "fox news": "The shameful council lied again."}
    assert len(seen) == 2
    for texts, (out,) in zip(seen, held_out):
        assert without[out] not in texts and len(texts) == 3
    assert not list(work.glob("intermediate*.state.pt"))  # each fold's own stage is dropped once the fold is kept

    seen.clear()
    raw["intermediate"].pop("group_column")
    crossval(config_from_dict(raw), folds=2, group_by="outlet")
    assert len(seen) == 1 and len(seen[0]) == 4
