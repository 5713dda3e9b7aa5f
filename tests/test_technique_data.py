"""A technique head's data and config: columns found or refused in one line, rare ones folded,
and the explanation a reader gets."""

from __future__ import annotations

import pytest

from framing.errors import FramingError
from framing.techniques import OTHER, explain
from framing.training.config import TechniqueConfig
from framing.training.technique_data import technique_data

from helpers import technique_config_dict, technique_frame


def config(tmp_path, **section) -> TechniqueConfig:
    return TechniqueConfig(**technique_config_dict(tmp_path, **section))


def test_every_other_column_is_a_technique_and_rare_ones_fold(tmp_path):
    data = technique_data(config(tmp_path))
    assert data.labels == ["Loaded_Language", "Doubt", OTHER] and data.folded == ["Slogans"]
    assert data.train_targets.shape == (len(technique_frame()), 3)
    assert data.train_targets[:, 2].sum() == 1  # the one Slogans row
    assert data.train_support == {"Loaded_Language": 16, "Doubt": 8, "Slogans": 1}


def test_rare_columns_are_left_out_without_folding(tmp_path):
    data = technique_data(config(tmp_path, fold_rare=False))
    assert data.labels == ["Loaded_Language", "Doubt"] and data.train_targets.shape[1] == 2


def test_named_columns_only(tmp_path):
    assert technique_data(config(tmp_path, columns=["Doubt"])).labels == ["Doubt"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.drop(columns="Doubt"), r"Doubt"),
        (lambda f: f.assign(Doubt=None), r"technique column 'Doubt' is empty"),
        (lambda f: f.assign(Doubt=0), r"technique column 'Doubt' is constant \(every row 0\)"),
        (lambda f: f.assign(Doubt=["yes"] + [0] * (len(f) - 1)), r"row 1: technique column 'Doubt' holds 'yes'"),
    ],
)
def test_a_bad_column_is_refused_naming_it(tmp_path, change, message):
    section = technique_config_dict(tmp_path, columns=["Loaded_Language", "Doubt"])
    change(technique_frame()).to_csv(tmp_path / "techniques.csv", index=False)
    with pytest.raises(FramingError, match=message) as error:
        technique_data(TechniqueConfig(**section))
    assert "techniques.csv" in str(error.value) and "\n" not in str(error.value)


def test_an_unknown_threshold_policy_is_refused_naming_the_key(tmp_path):
    from framing.training.add_techniques import technique_config

    (tmp_path / "techniques.yaml").write_text("techniques:\n  train: t.csv\n  threshold_policy: per-technique\n")
    with pytest.raises(FramingError, match=r"techniques\.threshold_policy.*shared\|per_label") as error:
        technique_config(tmp_path / "techniques.yaml")
    assert "\n" not in str(error.value)


def test_no_column_with_enough_positives_says_which_came_closest(tmp_path):
    with pytest.raises(FramingError, match=r"min_support.*'Loaded_Language' with 16"):
        technique_data(config(tmp_path, min_support=100))


def test_without_dev_a_share_of_train_is_held_out(tmp_path):
    section = technique_config_dict(tmp_path)
    section.pop("dev")
    data = technique_data(TechniqueConfig(**section, dev_fraction=0.25))
    assert len(data.dev_texts) + len(data.train_texts) == len(technique_frame()) and data.dev_texts


def test_config_section_is_typed():
    with pytest.raises(ValueError, match="min_support"):
        TechniqueConfig(train="t.csv", min_support=0)


def test_the_shipped_technique_config_loads():
    from framing.training.add_techniques import technique_config

    section = technique_config("configs/techniques_semeval.yaml")
    assert section.ignore_columns == ["techniques", "any_technique"] and section.about.license_terms


def test_explanation_quotes_the_marked_words_beside_a_word_technique():
    found = [{"technique": "Loaded_Language", "name": "Loaded language", "score": 0.9}]
    text = explain(found, ["bashed", "humiliating", "bashed"])
    assert text == (
        "Loaded language: \u201cbashed\u201d, \u201chumiliating\u201d \u2014 words chosen for their emotional "
        "charge rather than their information."
    )


def test_explanation_of_a_technique_not_carried_by_words_and_of_none():
    doubt = [{"technique": "Doubt", "name": "Doubt", "score": 0.7}]
    assert explain(doubt, ["corrupt"]).startswith("Doubt \u2014 questions someone's credibility")
    assert explain([], ["corrupt"]) == (
        "No persuasion technique passes its threshold; the word \u201ccorrupt\u201d carries the judgement."
    )
    two = explain([], ["corrupt", "rotten"])
    assert two.endswith("the words \u201ccorrupt\u201d, \u201crotten\u201d carry the judgement.")
    unknown = explain([{"technique": "Their_Own_Label", "score": 0.8}], [])
    assert unknown == "Their Own Label."
    assert explain([], []).endswith("the wording as a whole carries the judgement.")
