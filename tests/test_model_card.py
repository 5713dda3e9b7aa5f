"""training.model_card: the card states what the config says about the data, nothing guessed."""

from __future__ import annotations

from framing.training.config import config_from_dict, load_config
from framing.training.model_card import render_model_card

META = {
    "labels": ["neutral", "editorializing"],
    "label_mapping": {"Non-biased": "neutral", "Biased": "editorializing"},
    "temperature": 1.2,
    "drop_labels": [],
}
METRICS = {"dev": {"macro_f1": 0.8, "accuracy": 0.8, "ece": 0.05, "macro_f1_ci95": [0.76, 0.84]}}


def test_dataset_facts_come_from_the_config():
    card = render_model_card(load_config("configs/babe.yaml"), META, METRICS)
    assert "license: agpl-3.0" in card and "mediabiasgroup/BABE" in card
    assert "spinde-etal-2021-neural-media" in card and "horych-etal-2025-promises" in card
    assert "single sentences from US news outlets" in card


def test_a_config_without_facts_gets_no_borrowed_ones(tmp_path):
    """A file path that mentions babe is not a reason to claim BABE's licence or citation."""
    config = config_from_dict(
        {
            "name": "mine",
            "data": {
                "train": str(tmp_path / "babe_like.csv"),
                "labels": {"Non-biased": "neutral", "Biased": "editorializing"},
            },
        }
    )
    card = render_model_card(config, META, METRICS)
    assert "license: other" in card and "BABE" not in card and "US political news" not in card
    assert "babe_like.csv" in card  # the limits name the data actually used


def test_the_card_states_each_sources_licence_and_the_metrics_per_group():
    import numpy as np

    from framing.training.metrics import group_metrics

    gold = np.array([1, 0, 1, 0])
    proba = np.array([[0.2, 0.8], [0.7, 0.3], [0.6, 0.4], [0.9, 0.1]])
    by_group = {
        "column": "type",
        **group_metrics(
            gold,
            proba,
            ["left", "left", "right", "right"],
            ["neutral", "editorializing"],
            "editorializing",
            bootstrap_rounds=20,
        ),
    }
    card = render_model_card(
        load_config("configs/babe.yaml"), META, {**METRICS, "dev_by_group": {"label_bias_reviewed": by_group}}
    )
    licences = card.split("## Licences of the training data")[1].split("\n## ")[0]
    assert "BABE" in licences and "AGPL-3.0" in licences and "MIT" in licences  # texts and reviewed labels
    assert "anno-lexical" in licences and "CC BY-NC-ND 4.0" in licences  # every source the recipe learns from
    assert "AllSides" in licences and "behaviour suite" in licences
    section = card.split("## Dev metrics by `type` (labels `label_bias_reviewed`)")[1]
    assert "| left | 2 | 1.000" in section and "| right | 2 | " in section and "over-flagging" in section
    assert "Largest gap between groups" in section


def test_metrics_per_group_are_for_single_label_data():
    import pytest

    from framing.errors import FramingError

    raw = {
        "name": "m",
        "data": {"train": "t.csv", "labels": {"a": "x", "b": "y"}, "multi_label": True, "group_column": "type"},
    }
    with pytest.raises(FramingError, match="group_column .* is for single-label data"):
        config_from_dict(raw)


def test_the_shipped_card_states_the_gap_between_leanings_and_the_licences():
    from helpers import FAST

    card = (FAST / "README.md").read_text()
    for leaning in ("left", "center", "right"):
        assert f"\n| {leaning} | " in card
    assert (
        "## Dev metrics by `type` (labels `label_bias_reviewed`)" in card and "## Licences of the training data" in card
    )


def test_a_source_used_as_intermediate_stage_and_mixed_in_is_stated_once(tmp_path):
    labels = {"Biased": "editorializing", "Non-biased": "neutral"}
    about = {
        "name": "anno-lexical",
        "license": "MIT / CC BY-NC-ND 4.0",
        "license_terms": "non-commercial on the hub card",
    }
    config = config_from_dict(
        {
            "name": "mine",
            "data": {"train": str(tmp_path / "t.csv"), "labels": labels},
            "intermediate": {"data": "anno.parquet", "labels": labels, "about": about},
            "mixed": [{"data": "anno.parquet", "labels": labels, "weight": 0.3, "about": about}],
        }
    )
    licences = render_model_card(config, META, METRICS).split("## Licences of the training data")[1]
    assert licences.count("anno-lexical (MIT / CC BY-NC-ND 4.0): non-commercial on the hub card") == 1


def test_the_training_row_count_says_when_it_includes_other_sources(tmp_path):
    """The count is of every training row; with mixed sources it is not the train file's size."""
    labels = {"Biased": "editorializing", "Non-biased": "neutral"}
    plain = config_from_dict({"name": "mine", "data": {"train": str(tmp_path / "t.csv"), "labels": labels}})
    mixed = config_from_dict(
        {
            "name": "mine",
            "data": {"train": str(tmp_path / "t.csv"), "labels": labels},
            "mixed": [{"data": "anno.parquet", "labels": labels, "weight": 0.3}],
        }
    )
    metrics = {**METRICS, "train_examples": 1234}
    assert "(1234 passages), text column" in render_model_card(plain, META, metrics)
    counted = "(1234 passages in all, counting the extra files and the rows mixed in below), text column"
    assert counted in render_model_card(mixed, META, metrics)
