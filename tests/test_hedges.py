"""Reporting-hedge copies (config `hedges`): each gold row trains again with one hedge inserted,
same label and marked words; made from the rows a run or a fold trains on, nothing else."""

from __future__ import annotations

import numpy as np

from framing.training.config import config_from_dict
from framing.training.hedges import ADVERBS, LEAD_INS, hedged

from helpers import EDITORIAL, NEUTRAL, tiny_config_dict


def hedge_of(original: str, copy: str) -> str:
    """What the copy added: a lead-in before the sentence, or one adverb inside it."""
    lead = next((lead for lead in LEAD_INS if copy.startswith(lead)), None)
    if lead is not None:
        rest = copy[len(lead) :]
        assert rest[0].lower() == original[0].lower() and rest[1:] == original[1:], (original, copy)
        return lead
    added = [w for w in copy.split() if w not in original.split()]
    assert len(added) == 1 and added[0] in ADVERBS and copy.replace(added[0] + " ", "", 1) == original, (original, copy)
    return added[0]


def test_a_hedge_is_one_insertion_the_same_every_time():
    for text in NEUTRAL + EDITORIAL + ["The man stole a car and fled.", "NASA launched it.", "I believed it."]:
        copy = hedged(text)
        assert copy == hedged(text) and hedge_of(text, copy)
    kinds = {hedge_of(t, hedged(t)) in ADVERBS for t in NEUTRAL + EDITORIAL}
    assert kinds == {True, False}  # both forms occur
    # a lead-in lowers only a function word: names and "I" keep their capital
    for text in ("The man stole a car.", "Biden spoke today.", "I spoke today."):
        copy = hedged(text)
        if copy.startswith(LEAD_INS):
            assert ("the man" in copy) if text.startswith("The") else (text.split()[0] in copy)


def test_no_adverb_after_an_adverb():
    for text in ("Prices have dramatically declined this year.", "He was badly injured and later released."):
        copy = hedged(text)
        assert not any(f"ly {adverb}" in copy for adverb in ADVERBS), copy


def test_training_adds_a_hedged_copy_of_each_gold_row_with_its_targets(tiny_base, tiny_data):
    from transformers import AutoTokenizer

    from framing.training.training_data import load_examples

    config = config_from_dict({**tiny_config_dict(tiny_base, tiny_data), "hedges": {"weight": 0.4}})
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    train, _ = load_examples(config, tokenizer)
    gold = len(NEUTRAL) + len(EDITORIAL)
    copies = train.subset(range(gold, len(train)))
    assert len(copies) == gold and train.weight.tolist() == [1.0] * gold + [0.4] * gold
    for original, copy in zip(train.texts[:gold], copies.texts):
        hedge_of(original, copy)
    assert (copies.labels == train.labels[:gold]).all() and (copies.soft == train.soft[:gold]).all()
    assert copies.marked == train.marked[:gold]
    marked_rows = [i for i, words in enumerate(copies.marked) if words]
    assert marked_rows and all(
        sum(t == 1 for t in copies.word_targets[i]) == sum(t == 1 for t in train.word_targets[i]) for i in marked_rows
    )  # the hedge is never a marked word


def test_a_fold_trains_on_the_hedged_copies_of_its_own_rows_only(tiny_base, tiny_data):
    from framing.training.crossval_recipe import fold_training, prepare

    recipe, _, _ = prepare(config_from_dict({**tiny_config_dict(tiny_base, tiny_data), "hedges": {}}))
    rows = np.arange(4)
    fold = fold_training(recipe, rows, None)
    assert len(fold) == 8 and fold.texts[4:] == [hedged(t) for t in recipe.examples.subset(rows).texts]
