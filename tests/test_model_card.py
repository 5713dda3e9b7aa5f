"""training.model_card: the card states what the config says about the data, nothing guessed."""

from __future__ import annotations

from framing.training.config import config_from_dict, load_config
from framing.training.model_card import render_model_card

META = {"labels": ["neutral", "editorializing"], "label_mapping": {"Non-biased": "neutral", "Biased": "editorializing"},
        "temperature": 1.2, "drop_labels": []}
METRICS = {"dev": {"macro_f1": 0.8, "accuracy": 0.8, "ece": 0.05, "macro_f1_ci95": [0.76, 0.84]}}


def test_dataset_facts_come_from_the_config():
    card = render_model_card(load_config("configs/babe.yaml"), META, METRICS)
    assert "license: agpl-3.0" in card and "mediabiasgroup/BABE" in card
    assert "spinde-etal-2021-neural-media" in card and "hube-fetahu-2019-neural" in card
    assert "single sentences from US news outlets" in card


def test_a_config_without_facts_gets_no_borrowed_ones(tmp_path):
    """A file path that mentions babe is not a reason to claim BABE's licence or citation."""
    config = config_from_dict({"name": "mine", "data": {"train": str(tmp_path / "babe_like.csv"),
                                                        "labels": {"Non-biased": "neutral", "Biased": "editorializing"}}})
    card = render_model_card(config, META, METRICS)
    assert "license: other" in card and "BABE" not in card and "US political news" not in card
    assert "babe_like.csv" in card  # the limits name the data actually used
