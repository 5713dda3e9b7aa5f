"""The words and templates of the behaviour suite (benchmarks/behaviour.py), written for this
project and kept as data in training/behaviour/ (groups.yaml, words.yaml, facts.yaml,
swaps.yaml), each list in two parts that share nothing:

- `seen`: augmentation and any other training may use it (issue 24, step 3);
- `unseen`: no training ever sees it; the suite reports this part only.

A case is built from one part alone (its template, its words, its groups, its news
sentences), so a model trained on the seen part is measured on phrasings and words it never
met. Loaded words carry a strength, from the blunt ("disgraceful") to the subtle
("embattled", "conveniently"), so the report can say where a model stops noticing them.
Group statements are written in pairs of kinds: prejudiced against a group (editorializing,
from open contempt to a stereotype slipped into a report) and neutral about the same group;
the label must follow the statement, never the group.

Each list is read here as the suite uses it: items of several fields as tuples ([word,
strength] is ("word", "strength")), the evaluative words as a set.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PARTS = ("seen", "unseen")
FOLDER = Path(__file__).resolve().parent / "behaviour"


def read_cases(name: str) -> dict:
    """One file of training/behaviour/ (`name`.yaml)."""
    return yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))


def by_part(lists: dict[str, list]) -> dict[str, list]:
    """Each part's list, its items of several fields as tuples."""
    return {part: [tuple(item) if isinstance(item, list) else item for item in items] for part, items in lists.items()}


_GROUPS, _WORDS, _FACTS, _SWAPS = (read_cases(name) for name in ("groups", "words", "facts", "swaps"))

# Social groups by kind, and statements about them: (template, grade), prejudiced or neutral.
GROUPS: dict[str, dict[str, list[str]]] = _GROUPS["groups"]
PREJUDICED = by_part(_GROUPS["prejudiced"])
NEUTRAL_ABOUT_GROUP = by_part(_GROUPS["neutral_about_group"])
# Loaded words, (word, strength, what it can describe) and (word, strength), and where they go.
ADJECTIVES = by_part(_WORDS["adjectives"])
ADVERBS = by_part(_WORDS["adverbs"])
PERSON_NOUNS: list[str] = _WORDS["person_nouns"]
THING_NOUNS: list[str] = _WORDS["thing_nouns"]
VERBS: list[str] = _WORDS["verbs"]
EVALUATIVE: set[str] = set(_WORDS["evaluative"])
# Slot values, and short factual statements: (template, kind of fact).
PEOPLE: dict[str, list[str]] = _FACTS["people"]
PLACES: dict[str, list[str]] = _FACTS["places"]
CITIES: dict[str, list[str]] = _FACTS["cities"]
OFFICIALS: dict[str, list[str]] = _FACTS["officials"]
SHARED: dict[str, list[str]] = _FACTS["shared"]
FACTUAL = by_part(_FACTS["factual"])
# Templates whose label a swapped name, place or pronoun must not change; the pronouns (he, his).
NAME_SWAPS: dict[str, list[str]] = _SWAPS["name_swaps"]
PLACE_SWAPS: dict[str, list[str]] = _SWAPS["place_swaps"]
PRONOUNS = [tuple(pair) for pair in _SWAPS["pronouns"]]
PRONOUN_SWAPS: dict[str, list[str]] = _SWAPS["pronoun_swaps"]
