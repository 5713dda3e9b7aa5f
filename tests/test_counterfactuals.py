"""Group-term counterfactuals (config `counterfactuals`, issue 24 step 3): a sentence naming a
group of a swap set is trained on again with another group of that set and the same label;
they are made from the rows a run or a fold trains on, nothing else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing.errors import FramingError
from framing.training.config import config_from_dict
from framing.training.counterfactuals import swap_sets, swapped, term_pattern

from helpers import EDITORIAL, NEUTRAL, tiny_config_dict

SETS = [["Democrats", "progressives"], ["women", "gay men"], ["immigrants", "Chinese immigrants", "the homeless"]]


def swap(text: str, marked: list[str] = ()):
    return swapped(text, list(marked), SETS, term_pattern(SETS))


def test_the_first_group_named_is_swapped_everywhere_for_another_of_its_set():
    assert swap("Democrats and Democrats voted.") == ("Progressives and progressives voted.", [])
    assert swap("Polls say Democrats won.") == ("Polls say progressives won.", [])
    assert swap("Women marched; women won.")[0] == "Gay men marched; gay men won."  # the sentence's capital stays
    assert swap("So Democrats hate women.", ["Democrats hate"]) == (
        "So progressives hate women.",
        ["progressives hate"],
    )
    longer = swap("Chinese immigrants arrived in May.")[0]  # the longer term wins over "immigrants"
    assert longer in {"Immigrants arrived in May.", "The homeless arrived in May."}
    assert swap("Chinese immigrants arrived in May.")[0] == longer  # the same swap every time
    assert swap("The senator spoke on Tuesday.") is None
    assert swap("Womenfolk and democratsville.") is None  # whole words only


def test_a_swap_never_doubles_a_word_nor_breaks_a_longer_term():
    # these sentences' hash picks "the homeless", which after "the" would read "the the
    # homeless": the set's other term instead
    assert swap("She helped the immigrants on Monday.") == ("She helped the Chinese immigrants on Monday.", [])
    assert swap("The mayor met the immigrants.") == ("The mayor met the Chinese immigrants.", [])
    # a term inside a longer one of another set stays whole: only the bare "immigrants" is swapped
    nested = [["immigrants", "the elderly"], ["Chinese immigrants", "Haitians"]]
    assert swapped("Immigrants, including Chinese immigrants, rallied.", [], nested, term_pattern(nested)) == (
        "The elderly, including Chinese immigrants, rallied.",
        [],
    )
    two = [["women", "gay men"]]  # a set whose only other term doubles the word before it
    assert swapped("Gay women voted.", [], two, term_pattern(two)) is None
    assert swapped("That that women voted.", [], two, term_pattern(two)) == ("That that gay men voted.", [])


def terms_file(tmp_path, sets: list[list[str]]) -> str:
    path = tmp_path / "terms.csv"
    pd.DataFrame([{"set": f"set {i}", "term": t} for i, terms in enumerate(sets) for t in terms]).to_csv(
        path, index=False
    )
    return str(path)


def test_a_swap_set_needs_two_terms_and_the_file_its_columns(tmp_path):
    with pytest.raises(FramingError, match="at least two different terms"):
        swap_sets(terms_file(tmp_path, [["senator", "senator"]]))
    (tmp_path / "bad.csv").write_text("kind,term\nx,senator\n")
    with pytest.raises(FramingError, match="bad.csv.*set"):
        swap_sets(str(tmp_path / "bad.csv"))


def with_counterfactuals(tiny_base, tiny_data, terms: str, weight: float = 0.5) -> dict:
    raw = tiny_config_dict(tiny_base, tiny_data)
    raw["counterfactuals"] = {"terms": terms, "weight": weight}
    return raw


def test_training_adds_a_copy_of_each_gold_row_naming_a_group_with_its_targets(tiny_base, tiny_data, tmp_path):
    from transformers import AutoTokenizer

    from framing.training.training_data import load_examples

    terms = terms_file(tmp_path, [["senator", "mayor", "secretary"], ["greedy", "corrupt"]])
    config = config_from_dict(with_counterfactuals(tiny_base, tiny_data, terms))
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    train, _ = load_examples(config, tokenizer)
    gold = len(NEUTRAL) + len(EDITORIAL)
    named = [
        i
        for i, t in enumerate(train.texts[:gold])
        if any(w in t for w in ("senator", "mayor", "secretary", "greedy", "corrupt"))
    ]
    copies = train.subset(range(gold, len(train)))
    assert len(copies) == len(named) == 8
    for row, (original, copy) in enumerate(zip(train.subset(named).texts, copies.texts)):
        changed = [(a, b) for a, b in zip(original.split(), copy.split()) if a != b]
        assert len(changed) == 1 and len(original.split()) == len(copy.split()), (original, copy)
    assert (copies.labels == train.labels[named]).all() and (copies.soft == train.soft[named]).all()
    assert (copies.aux_labels == train.aux_labels[named]).all()
    assert train.weight.tolist() == [1.0] * gold + [0.5] * len(named)
    greedy = copies.texts.index("The corrupt company boasted of obscene profits.")
    assert copies.marked[greedy] == ["corrupt", "obscene"]  # the marked word went with the swap
    tokens = tokenizer.convert_ids_to_tokens(copies.input_ids[greedy])
    assert copies.word_targets[greedy][tokens.index("corrupt")] == 1
    assert copies.word_targets[greedy][tokens.index("company")] == 0
    from framing.checkpoint import CheckpointMeta
    from framing.training.model_card import render_model_card

    meta = CheckpointMeta(labels=config.data.label_names, label_mapping=config.data.labels).model_dump()
    card = render_model_card(config, meta, {"dev": {}, "train_examples": len(train)})
    assert f"group-term counterfactuals: each gold training sentence naming a group of `{terms}`" in card
    assert "weighing 0.5 of a gold row" in card and f"{len(train)} passages in all, counting" in card


def test_a_fold_trains_on_the_counterfactuals_of_its_own_rows_only(tiny_base, tiny_data, tmp_path):
    from framing.training.crossval_recipe import fold_training, prepare

    terms = terms_file(tmp_path, [["senator", "mayor", "secretary"]])
    recipe, _, _ = prepare(config_from_dict(with_counterfactuals(tiny_base, tiny_data, terms)))
    rows = np.arange(4)  # of the senator, mayor and secretary sentences, only "The senator spoke ..." is in the fold
    fold = fold_training(recipe, rows, None)
    assert fold.texts[:4] == recipe.examples.subset(rows).texts
    assert len(fold) == 5 and fold.texts[4] in {
        "The mayor spoke on Tuesday about the budget.",
        "The secretary spoke on Tuesday about the budget.",
    }
