"""The behaviour suite's sentences: built from the words and templates of behaviour_cases.py
(training/behaviour/*.yaml) and from real news sentences of the AllSides corpus, as the tests
benchmarks/behaviour.py scores checkpoints on (group statements, loaded words inserted into
news sentences, short factual statements, swaps; its docstring says what each must get), one
part at a time.

Training takes the seen part from here: its sentences with their expected labels for
augmentation (write_examples), and its groups as swap sets for the counterfactuals
(write_group_terms); and the unseen part's news sentences, which a distillation pool must
leave out (write_news). `python benchmarks/behaviour.py --write-examples FILE` (and
--write-group-terms, --write-news) calls these.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from framing.hashing import sha256_text
from framing.training import behaviour_cases as cases
from framing.training.pool import normalized  # how framing pool matches sentences

REPO = Path(__file__).resolve().parent.parent  # run from a source checkout: the data is in ../shared/data

NEUTRAL, EDITORIAL = "neutral", "editorializing"
CORPUS = REPO.parent / "shared" / "data" / "allsides" / "articles.parquet"
# News sentences that are in BABE are not used as bases: the shipped models trained on them.
BABE = sorted((REPO.parent / "shared" / "data" / "babe").glob("*.csv"))
BASES_PER_TEST = 200  # news sentences a part of each loaded-word test uses; three words each
FILLS_PER_TEMPLATE = 30  # factual templates: a fixed sample of their slot combinations


@dataclass
class Case:
    sentences: list[str]  # MFT/DIR: one sentence; INV: the fills of one template
    grade: str  # the loaded word's strength, the statement's, the kind of fact or group
    template: Optional[str] = None  # group statements: the template it was filled from


@dataclass
class Test:
    name: str
    kind: str  # MFT, DIR or INV
    cases: list[Case]
    expected: Optional[str] = None  # MFT/DIR: the label every sentence must get


def fill(template: str, **slots: list[str]) -> list[str]:
    """Every combination of the slot values the template uses, in a fixed order; a sentence
    that starts with a slot starts with a capital."""
    keys = [key for key in slots if "{" + key + "}" in template]
    sentences = [template.format(**dict(zip(keys, values))) for values in itertools.product(*(slots[k] for k in keys))]
    return [s[0].upper() + s[1:] for s in sentences]


def fixed_sample(items: Iterable[str], k: int) -> list[str]:
    """The k items first in sha256 order: a sample that does not depend on the list's order."""
    return sorted(items, key=sha256_text)[:k]


def group_tests(part: str) -> list[Test]:
    groups = cases.GROUPS[part]
    everyone = [g for members in groups.values() for g in members]
    prejudiced = [
        Case([s], strength, template)
        for template, strength in cases.PREJUDICED[part]
        for s in fill(template, group=everyone)
    ]
    neutral = [
        Case([s], grade, template)
        for template, grade in cases.NEUTRAL_ABOUT_GROUP[part]
        for s in fill(template, group=everyone)
    ]
    templates = [t for t, _ in cases.PREJUDICED[part] + cases.NEUTRAL_ABOUT_GROUP[part]]
    swaps = [
        Case(fill(template, group=members), kind, template)
        for template in templates
        for kind, members in groups.items()
    ]
    return [
        Test("prejudiced statements about a group are editorializing", "MFT", prejudiced, EDITORIAL),
        Test("neutral statements about a group are neutral", "MFT", neutral, NEUTRAL),
        Test("the group named does not change the label", "INV", swaps),
    ]


def factual_test(part: str) -> Test:
    slots = {
        "name": cases.PEOPLE[part],
        "place": cases.PLACES[part],
        "city": cases.CITIES[part],
        "official": cases.OFFICIALS[part],
        **cases.SHARED,
    }
    found = [
        Case([s], kind)
        for template, kind in cases.FACTUAL[part]
        for s in fixed_sample(fill(template, **slots), FILLS_PER_TEMPLATE)
    ]
    return Test("short factual statements are neutral", "MFT", found, NEUTRAL)


def swap_tests(part: str) -> list[Test]:
    pronouns = {
        "they": [p for p, _ in cases.PRONOUNS],
        "They": [p.capitalize() for p, _ in cases.PRONOUNS],
        "their": [q for _, q in cases.PRONOUNS],
    }
    return [
        Test(
            "swapping names keeps the label",
            "INV",
            [Case(fill(t, name=cases.PEOPLE[part]), "names") for t in cases.NAME_SWAPS[part]],
        ),
        Test(
            "swapping places keeps the label",
            "INV",
            [Case(fill(t, place=cases.PLACES[part]), "places") for t in cases.PLACE_SWAPS[part]],
        ),
        Test(
            "swapping pronouns keeps the label",
            "INV",
            [Case(_pronoun_fills(t, pronouns), "pronouns") for t in cases.PRONOUN_SWAPS[part]],
        ),
    ]


def _pronoun_fills(template: str, pronouns: dict[str, list[str]]) -> list[str]:
    # one sentence per pronoun (he/his, she/her, they/their together), not every combination
    return [template.format(**{key: values[i] for key, values in pronouns.items()}) for i in range(len(cases.PRONOUNS))]


# --- loaded words in news sentences --------------------------------------------------------

LOADED = {w for part in cases.PARTS for w, *_ in cases.ADJECTIVES[part] + cases.ADVERBS[part]}
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
FIRST_PERSON = {"i", "we", "our", "us", "my", "me", "you", "your"}
REPORTING = re.compile(r"\d|\b(said|says|announced|reported|according to|told)\b")
NOUN_SITE = re.compile(
    r"\b([Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir) (" + "|".join(cases.PERSON_NOUNS + cases.THING_NOUNS) + r")\b"
)
VERB_SITE = re.compile(r"\b([A-Z][a-z]+|" + "|".join(cases.PERSON_NOUNS) + r") (" + "|".join(cases.VERBS) + r")\b")


def is_neutral_base(sentence: str) -> bool:
    """A plain news sentence by rule (the words of both parts' lists included among the
    evaluative ones), whatever any model says of it."""
    words = [w.lower() for w in WORD.findall(sentence)]
    return (
        12 <= len(words) <= 32
        and sentence[0].isupper()
        and sentence.endswith(".")
        and not any(c in sentence for c in '"“”?!:;()[]–—')
        and not FIRST_PERSON & set(words)
        and not (cases.EVALUATIVE | LOADED) & set(words)
        and REPORTING.search(sentence) is not None
    )


def news_sentences(corpus: Path, part: str, exclude: set[str]) -> Iterable[str]:
    """Neutral-by-rule sentences of the corpus's articles of this part (an article's sha256 of
    its id decides its part), one article per outlet in turn, each article's sentences in
    sha256 order."""
    import pyarrow.parquet as pq

    from framing.segment import sentence_spans

    table = pq.read_table(corpus, columns=["id", "outlet", "text"]).to_pydict()
    by_outlet: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, outlet, text in zip(table["id"], table["outlet"], table["text"]):
        digest = sha256_text(str(key))
        if cases.PARTS[int(digest[:8], 16) % 2] == part and text:
            by_outlet[outlet or ""].append((digest, text))
    queues = [sorted(articles) for _, articles in sorted(by_outlet.items())]
    for round_ in itertools.count():
        if not any(round_ < len(q) for q in queues):
            return
        for queue in queues:
            if round_ < len(queue):
                text = queue[round_][1]
                sentences = [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]
                yield from (
                    s
                    for s in fixed_sample(sentences, len(sentences))
                    if is_neutral_base(s) and normalized(s) not in exclude
                )


def loaded_word_tests(part: str, corpus: Path, exclude: set[str], per_test: int = BASES_PER_TEST) -> list[Test]:
    """Each base sentence gets one loaded word of each strength (picked by a hash), inserted
    before a noun (adjectives that fit it: a person or a thing) or a verb (adverbs)."""
    adjective_cases: list[Case] = []
    adverb_cases: list[Case] = []
    for sentence in news_sentences(corpus, part, exclude):
        if len(adjective_cases) < 3 * per_test and (site := NOUN_SITE.search(sentence)):
            what = "person" if site.group(2) in cases.PERSON_NOUNS else "thing"
            words = [(w, s) for w, s, fits in cases.ADJECTIVES[part] if fits in ("any", what)]
            adjective_cases += _inserted(sentence, site.start(2), words)
        if len(adverb_cases) < 3 * per_test and (site := VERB_SITE.search(sentence)):
            adverb_cases += _inserted(sentence, site.start(2), cases.ADVERBS[part])
        if len(adjective_cases) >= 3 * per_test and len(adverb_cases) >= 3 * per_test:
            break
    return [
        Test("a loaded adjective in a news sentence makes it editorializing", "DIR", adjective_cases, EDITORIAL),
        Test("a loaded adverb in a news sentence makes it editorializing", "DIR", adverb_cases, EDITORIAL),
    ]


def _inserted(sentence: str, at: int, words: list[tuple[str, str]]) -> list[Case]:
    by_strength: dict[str, list[str]] = defaultdict(list)
    for word, strength in words:
        by_strength[strength].append(word)
    found = []
    for strength, options in by_strength.items():
        word = options[int(sha256_text(sentence + strength)[:8], 16) % len(options)]
        found.append(Case([sentence[:at] + word + " " + sentence[at:]], strength))
    return found


def babe_sentences(paths: list[Path]) -> set[str]:
    import pandas as pd

    return {normalized(t) for path in paths for t in pd.read_csv(path, usecols=["text"])["text"].dropna()}


def suite(part: str = "unseen", corpus: Path = CORPUS, exclude: Optional[set[str]] = None) -> list[Test]:
    if part not in cases.PARTS:
        raise ValueError(f"part {part!r}: expected one of {cases.PARTS}")
    if not Path(corpus).is_file():
        raise FileNotFoundError(
            f"{corpus}: the AllSides articles the loaded-word tests take their sentences "
            f"from are not there (pass --corpus)"
        )
    exclude = babe_sentences(BABE) if exclude is None else exclude
    return [*group_tests(part), *loaded_word_tests(part, Path(corpus), exclude), factual_test(part), *swap_tests(part)]


def training_examples(tests: list[Test], bases: Iterable[str]) -> list[dict]:
    """Labelled sentences from a part's tests, for augmentation (the seen part only): every
    sentence of a test with an expected label gets that label, and the news sentences the
    loaded words went into are neutral beside them (pairs that differ in one word).
    Invariance tests carry no label of their own and give nothing."""
    rows = [
        {"text": s, "label": test.expected, "test": test.name, "grade": case.grade}
        for test in tests
        if test.expected
        for case in test.cases
        for s in case.sentences
    ]
    rows += [
        {"text": s, "label": NEUTRAL, "test": "news sentences before the loaded word", "grade": "base"} for s in bases
    ]
    return rows


def news_bases(tests: list[Test]) -> list[str]:
    """The news sentences of the loaded-word tests, before their word went in."""
    found = []
    for test in tests:
        if test.kind == "DIR":
            for case in test.cases:
                words = case.sentences[0].split(" ")
                found += [" ".join(words[:i] + words[i + 1 :]) for i, w in enumerate(words) if w in LOADED][:1]
    return list(dict.fromkeys(found))


# --- what training takes from the suite ----------------------------------------------------


def write_examples(path: Path, corpus: Path, overwrite: bool = False) -> None:
    _refuse_existing(path, overwrite)
    tests = suite("seen", corpus)
    rows = _write_csv(path, training_examples(tests, news_bases(tests)))
    print(f"{path}: {len(rows)} sentences of the seen part ({(rows.label == EDITORIAL).sum()} editorializing)")


def write_news(path: Path, corpus: Path, overwrite: bool = False) -> None:
    _refuse_existing(path, overwrite)
    tests = suite("unseen", corpus)
    rows = _write_csv(path, [{"text": s} for s in news_bases(tests)])
    print(f"{path}: {len(rows)} news sentences of the unseen part")


def write_group_terms(path: Path, overwrite: bool = False) -> None:
    _refuse_existing(path, overwrite)
    rows = _write_csv(
        path, [{"set": kind, "term": group} for kind, groups in cases.GROUPS["seen"].items() for group in groups]
    )
    print(f"{path}: {len(rows)} groups of the seen part in {rows.set.nunique()} swap sets")


def _refuse_existing(path: Path, overwrite: bool) -> None:
    """Before any work: an existing file is refused unless `overwrite`, a missing folder created."""
    from framing.errors import FramingError
    from framing.output import ensure_writable

    try:
        ensure_writable(path, overwrite=overwrite)
    except FramingError as error:
        raise SystemExit(str(error)) from None


def _write_csv(path: Path, rows: list[dict]):
    import pandas as pd

    from framing.output import atomic_file

    frame = pd.DataFrame(rows)
    with atomic_file(path) as staging:
        frame.to_csv(staging, index=False)
    return frame
