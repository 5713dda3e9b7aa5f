"""The behavioural suite (benchmarks/behaviour.py, its sentences built by
training/behaviour_data.py from training/behaviour/*.yaml): its two parts share nothing, its
news sentences are chosen by rule, and it judges labellers the way its tests say."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from framing.training.behaviour_data import is_neutral_base

from helpers import benchmark_module

NEWS = [
    "The governor signed the bill on Tuesday in the state capital, according to a statement from her office.",
    "The senator introduced the measure last week, and the committee said it would hold a hearing next month.",
    "Officials said the agency approved the plan after a review that lasted about 18 months.",
    "The mayor announced the budget on Monday, and the council is expected to vote on it in June.",
    "Smith told reporters that the company would open two new plants in the state by 2025.",
]
NOT_BASES = [
    '"We will not back down," the senator said after the vote on the bill in the state capital on Tuesday.',
    "We reported last week that the governor signed the bill after a long review by the committee.",
    "The governor signed the disastrous bill on Tuesday in the state capital, according to her office.",
    "The governor signed the bill on Tuesday in the state capital, according to a statement from her office?",
    "Short sentence said 4.",
]


@pytest.fixture(scope="module")
def behaviour():
    return benchmark_module("behaviour")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Articles in AllSides' layout: every article holds the news sentences and the non-bases."""
    path = tmp_path_factory.mktemp("allsides") / "articles.parquet"
    rows = [{"id": f"article-{i}", "outlet": f"Outlet {i % 4}", "text": " ".join(NOT_BASES + NEWS)} for i in range(30)]
    pd.DataFrame(rows).to_parquet(path)
    return path


@pytest.fixture(scope="module")
def unseen(behaviour, corpus):
    return behaviour.suite("unseen", corpus, exclude=set())


def test_the_seen_and_unseen_parts_share_no_template_word_group_or_name(behaviour):
    cases = behaviour.cases
    for name in [
        "GROUPS",
        "PREJUDICED",
        "NEUTRAL_ABOUT_GROUP",
        "ADJECTIVES",
        "ADVERBS",
        "PEOPLE",
        "PLACES",
        "CITIES",
        "OFFICIALS",
        "FACTUAL",
        "NAME_SWAPS",
        "PLACE_SWAPS",
        "PRONOUN_SWAPS",
    ]:
        parts = getattr(cases, name)
        flat = {
            part: parts[part]
            if isinstance(parts[part], list)
            else [g for members in parts[part].values() for g in members]
            for part in cases.PARTS
        }
        keys = {part: {item[0] if isinstance(item, tuple) else item for item in flat[part]} for part in cases.PARTS}
        assert keys["seen"] and keys["unseen"] and not keys["seen"] & keys["unseen"], name


def stem(word: str) -> str:
    """A loaded word without its -ly, -ally, -ness, -ful and -less endings ("shamelessly" -> "shame")."""
    for suffix in ("ally", "ly", "ness", "ful", "less"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return stem(word[: -len(suffix)])
    return word


def test_no_seen_loaded_word_or_a_relative_of_it_is_in_the_unseen_part(behaviour):
    # "shamelessly" in the seen list once let "shameful" and "shameless" into the unseen part
    cases = behaviour.cases
    seen = {stem(w) for w, *_ in cases.ADJECTIVES["seen"] + cases.ADVERBS["seen"]}
    unseen_words = [w for w, *_ in cases.ADJECTIVES["unseen"] + cases.ADVERBS["unseen"]]
    assert not [w for w in unseen_words if stem(w) in seen or any(w[:5] == s[:5] for s in seen)]
    templates = [
        item[0] if isinstance(item, tuple) else item
        for name in ["PREJUDICED", "NEUTRAL_ABOUT_GROUP", "FACTUAL", "NAME_SWAPS", "PLACE_SWAPS", "PRONOUN_SWAPS"]
        for item in getattr(cases, name)["unseen"]
    ]
    assert not [t for t in templates if {stem(token) for token in re.findall(r"[a-z-]+", t.lower())} & seen]
    assert stem("shamelessly") == stem("shameful") == "shame" and stem("idiotically") == "idiotic"


def test_news_sentences_are_bases_by_rule_and_the_word_goes_before_the_noun_or_verb(behaviour, unseen):
    assert all(is_neutral_base(s) for s in NEWS)
    assert not any(is_neutral_base(s) for s in NOT_BASES)  # a quote, "we", "disastrous", "?", too short
    by_name = {test.name: test for test in unseen}
    adjectives = by_name["a loaded adjective in a news sentence makes it editorializing"]
    adverbs = by_name["a loaded adverb in a news sentence makes it editorializing"]
    unseen_adjectives = {w: fits for w, _, fits in behaviour.cases.ADJECTIVES["unseen"]}
    unseen_adverbs = {w for w, _ in behaviour.cases.ADVERBS["unseen"]}
    assert {c.grade for c in adjectives.cases} == {"strong", "moderate", "subtle"}
    for case in adjectives.cases:
        inserted, after = one_word_added(case.sentences[0])
        assert inserted in unseen_adjectives  # a word of the unseen part only
        what = "person" if after in behaviour.cases.PERSON_NOUNS else "thing"
        assert after in behaviour.cases.PERSON_NOUNS + behaviour.cases.THING_NOUNS
        assert unseen_adjectives[inserted] in ("any", what), case.sentences[0]
    for case in adverbs.cases:
        inserted, after = one_word_added(case.sentences[0])
        assert inserted in unseen_adverbs and after in behaviour.cases.VERBS


def one_word_added(sentence: str) -> tuple[str, str]:
    """The word inserted into one of the NEWS sentences, and the word after it."""
    words = sentence.split()
    for i, word in enumerate(words):
        if " ".join(words[:i] + words[i + 1 :]) in NEWS:
            return word, words[i + 1]
    raise AssertionError(f"not a news sentence with one word added: {sentence}")


def test_an_always_neutral_labeller_fails_exactly_the_tests_that_expect_editorializing(behaviour, unseen):
    result = behaviour.run_suite(lambda texts: ["neutral"] * len(texts), unseen)
    rates = {row["test"]: row["failure_rate"] for row in result["tests"]}
    expect_editorial = {t.name for t in unseen if t.expected == "editorializing"}
    assert expect_editorial == {
        "prejudiced statements about a group are editorializing",
        "a loaded adjective in a news sentence makes it editorializing",
        "a loaded adverb in a news sentence makes it editorializing",
    }
    assert {name: rate for name, rate in rates.items() if rate} == {name: 1.0 for name in expect_editorial}


def test_a_labeller_that_reacts_to_a_group_fails_the_group_tests_only(behaviour, unseen):
    prejudiced = {t: s for t, s in behaviour.cases.PREJUDICED["unseen"]}
    loaded = {w for w, *_ in behaviour.cases.ADJECTIVES["unseen"] + behaviour.cases.ADVERBS["unseen"]}

    def labeller(texts):  # right on every template, but calls anything about Catholics editorializing
        def label(text):
            editorial = (
                "Catholics" in text
                or any(re.fullmatch(re.escape(t).replace(r"\{group\}", ".+"), text) for t in prejudiced)
                or loaded & set(text.split())
            )
            return "editorializing" if editorial else "neutral"

        return [label(t) for t in texts]

    result = behaviour.run_suite(labeller, unseen)
    rows = {row["test"]: row for row in result["tests"]}
    failing = {name for name, row in rows.items() if row["failed"]}
    # a swapped name, place or pronoun sentence with a loaded word of its own is not in the lists: those fail too
    assert {"neutral statements about a group are neutral", "the group named does not change the label"} <= failing
    assert not failing & {
        "prejudiced statements about a group are editorializing",
        "short factual statements are neutral",
        "a loaded adjective in a news sentence makes it editorializing",
    }
    religion = rows["the group named does not change the label"]["by_grade"]
    neutral_templates = len(behaviour.cases.NEUTRAL_ABOUT_GROUP["unseen"])  # prejudiced ones stay editorializing
    assert religion["religion"]["failure_rate"] == neutral_templates / (neutral_templates + len(prejudiced))
    assert religion["party"]["failure_rate"] == 0.0
    example = rows["neutral statements about a group are neutral"]["examples"][0]
    assert "Catholics" in example["sentences"][0] and example["labels"] == ["editorializing"]
    # per template: each neutral template fails once, for its Catholics sentence; no prejudiced one fails
    groups = [g for members in behaviour.cases.GROUPS["unseen"].values() for g in members]
    neutral = rows["neutral statements about a group are neutral"]["by_template"]
    assert set(neutral) == {t for t, _ in behaviour.cases.NEUTRAL_ABOUT_GROUP["unseen"]}
    assert {(t["cases"], t["failure_rate"]) for t in neutral.values()} == {(len(groups), 1 / len(groups))}
    prejudiced_rates = rows["prejudiced statements about a group are editorializing"]["by_template"]
    assert set(prejudiced_rates) == set(prejudiced) and all(t["failure_rate"] == 0 for t in prejudiced_rates.values())
    # the swap test: one case per kind of group, so a neutral template fails in its religion case only
    kinds = len(behaviour.cases.GROUPS["unseen"])
    swapped = rows["the group named does not change the label"]["by_template"]
    assert swapped["They are {group}."] == {"grade": "", "cases": kinds, "failure_rate": 1 / kinds}
    assert swapped[next(iter(prejudiced))]["failure_rate"] == 0
    assert rows["short factual statements are neutral"]["by_template"] == {}
    table = behaviour.render([result, result], ["catholics", "again"], "unseen", by_template=True)
    assert "### neutral statements about a group are neutral, by template" in table
    rate = f"{1 / len(groups):.1%}"
    assert f"| They are {{group}}. | identity | {len(groups)} | {rate} | {rate} |" in table
    assert "by template" not in behaviour.render([result], ["catholics"], "unseen")


def test_group_templates_are_unique_within_each_part(behaviour):
    # the per-template report keys on the template's text: two alike would merge silently
    for part in behaviour.cases.PARTS:
        templates = [t for t, _ in behaviour.cases.PREJUDICED[part] + behaviour.cases.NEUTRAL_ABOUT_GROUP[part]]
        assert len(templates) == len(set(templates)), part


def test_the_suite_runs_checkpoints_through_predict_side_by_side(behaviour, corpus, tiny_checkpoint, tmp_path, capsys):
    out = tmp_path / "behaviour.json"
    behaviour.main(
        [
            "--checkpoint",
            str(tiny_checkpoint),
            "--checkpoint",
            str(tiny_checkpoint),
            "--corpus",
            str(corpus),
            "--output",
            str(out),
            "--by-template",
        ]
    )
    saved = json.loads(out.read_text())
    assert saved["part"] == "unseen" and len(saved["results"]) == 2
    assert saved["results"][0]["tests"] == saved["results"][1]["tests"]  # one checkpoint, the same labels
    assert len(saved["results"][0]["tests"]) == 9
    printed = capsys.readouterr().out
    assert "Behavioural tests, unseen part" in printed and "**mean failure rate**" in printed
    assert "### prejudiced statements about a group are editorializing, by template" in printed


def test_a_missing_corpus_is_a_clear_error(behaviour, tmp_path):
    with pytest.raises(FileNotFoundError, match="articles.parquet: the AllSides articles"):
        behaviour.suite("unseen", tmp_path / "articles.parquet", exclude=set())


def test_augmentation_examples_come_from_the_seen_part_only_with_their_expected_labels(
    behaviour, corpus, tmp_path, capsys
):
    out = tmp_path / "augment" / "seen.csv"  # a missing folder is created
    behaviour.main(["--write-examples", str(out), "--corpus", str(corpus)])
    rows = pd.read_csv(out)
    assert set(rows.columns) == {"text", "label", "test", "grade"} and set(rows.label) == {"neutral", "editorializing"}
    unseen_words = {w for w, *_ in behaviour.cases.ADJECTIVES["unseen"] + behaviour.cases.ADVERBS["unseen"]}
    unseen_groups = {g for members in behaviour.cases.GROUPS["unseen"].values() for g in members}
    for text in rows.text:
        assert not unseen_words & set(text.split()), text
        assert not any(re.search(rf"\b{g}\b", text, flags=re.IGNORECASE) for g in unseen_groups), text
    bases = rows[rows.test == "news sentences before the loaded word"]
    assert set(bases.text) <= set(NEWS) and set(bases.label) == {"neutral"}
    inserted = rows[rows.test.str.startswith("a loaded")]
    assert set(inserted.label) == {"editorializing"}
    assert all(one_word_added(text)[0] for text in inserted.text)  # each is one of the bases with a word added
    assert "sentences of the seen part" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="already exists"):
        behaviour.main(["--write-examples", str(out), "--corpus", str(corpus)])
    out.write_text("text,label,test,grade\nstale,neutral,stale,stale\n")
    behaviour.main(["--write-examples", str(out), "--corpus", str(corpus), "--overwrite"])
    assert pd.read_csv(out).equals(rows)  # the stale file replaced by the same sentences as before
    with pytest.raises(SystemExit):  # --overwrite alone is refused: it would overwrite nothing
        behaviour.main(["--overwrite", "--corpus", str(corpus)])


def test_the_unseen_news_sentences_are_written_for_a_pool_to_leave_out(behaviour, corpus, tmp_path, capsys):
    out = tmp_path / "pools" / "unseen_news.csv"
    behaviour.main(["--write-news", str(out), "--corpus", str(corpus)])
    written = pd.read_csv(out)
    assert list(written.columns) == ["text"] and set(written.text) <= set(NEWS) and len(written) > 0
    unseen = behaviour.suite("unseen", corpus, exclude=set())
    tested = [s for test in unseen if test.kind == "DIR" for case in test.cases for s in case.sentences]
    assert tested and all(_base_of(s) in set(written.text) for s in tested)  # every tested sentence's base
    assert "news sentences of the unseen part" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="already exists"):
        behaviour.main(["--write-news", str(out), "--corpus", str(corpus)])


def _base_of(sentence: str) -> str:
    word, _ = one_word_added(sentence)
    words = sentence.split()
    return " ".join(words[: words.index(word)] + words[words.index(word) + 1 :])


def test_the_group_terms_for_counterfactuals_are_the_seen_groups_in_one_swap_set_per_kind(behaviour, tmp_path, capsys):
    from framing.training.counterfactuals import swap_sets

    out = tmp_path / "augment" / "group_terms.csv"
    behaviour.main(["--write-group-terms", str(out)])
    seen = behaviour.cases.GROUPS["seen"]
    assert swap_sets(str(out)) == list(seen.values())
    unseen_groups = {g.lower() for members in behaviour.cases.GROUPS["unseen"].values() for g in members}
    assert not unseen_groups & {t.lower() for t in pd.read_csv(out).term}
    assert "swap sets" in capsys.readouterr().out
    out.write_text("set,term\nstale,stale\n")
    with pytest.raises(SystemExit, match="already exists.*--overwrite"):
        behaviour.main(["--write-group-terms", str(out)])
    behaviour.main(["--write-group-terms", str(out), "--overwrite"])  # the flag the refusal names
    assert swap_sets(str(out)) == list(seen.values())
