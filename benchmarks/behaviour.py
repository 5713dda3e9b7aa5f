"""Behavioural tests of checkpoints, in the manner of CheckList (Ribeiro et al., ACL 2020):
thousands of sentences built from templates and word lists written for this project
(benchmarks/behaviour_cases.py) and from real news sentences of the AllSides corpus.

    python benchmarks/behaviour.py [--checkpoint DIR ...] [--part unseen|seen] [--output results.json] [--by-template]
    python benchmarks/behaviour.py --write-examples seen.csv     # the seen part, for augmentation
    python benchmarks/behaviour.py --write-news unseen_news.csv  # what a distillation pool must leave out
    python benchmarks/behaviour.py --write-group-terms terms.csv  # the seen groups, for counterfactuals

Every list has a part that training may use (augmentation) and a part no training ever sees;
the report is of the unseen part unless told otherwise. The tests:
- group statements (MFT): prejudiced statements about a social group (religions,
  nationalities, races, parties, genders, others), from open contempt to a stereotype or a
  false claim stated as plain fact, must be editorializing, and neutral ones about the same
  groups (reports, documented generalisations, "They are {group}.") neutral; and (INV) the
  group named must not change a statement's label;
- loaded words (DIR): a loaded adjective or adverb inserted into a neutral news sentence
  (sentences of AllSides articles, chosen by rule: no quotes, no first person, no evaluative
  word, a number or a reporting verb) must make it editorializing;
- short factual statements (MFT): numbers, dates, quotes of plain facts, and (unseen part)
  facts in the vivid verbs news uses for them ("soared", "devastated", "in a landslide") and
  facts of general knowledge ("Donald Trump was impeached twice.") are neutral;
- swaps (INV): a name, place or pronoun swapped must not change the label.
A case fails when a sentence gets the wrong label (MFT, DIR) or its fills do not all get one
label (INV). Each test's failure rate is also given by the cases' grade: the loaded word's
strength (strong, moderate, subtle), the group statement's, the kind of fact.

With several checkpoints, one column each (the first release, today's, a new one). Every
sentence goes through the same `predict` users call.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a source checkout
sys.path.insert(0, str(REPO / "benchmarks"))

from framing.hashing import sha256_text  # noqa: E402
from framing.training.pool import normalized  # noqa: E402  (how framing pool matches sentences)

import behaviour_cases as cases  # noqa: E402  (after the path above)

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
    prejudiced = [Case([s], strength, template) for template, strength in cases.PREJUDICED[part]
                  for s in fill(template, group=everyone)]
    neutral = [Case([s], grade, template) for template, grade in cases.NEUTRAL_ABOUT_GROUP[part]
               for s in fill(template, group=everyone)]
    templates = [t for t, _ in cases.PREJUDICED[part] + cases.NEUTRAL_ABOUT_GROUP[part]]
    swaps = [Case(fill(template, group=members), kind, template) for template in templates
             for kind, members in groups.items()]
    return [Test("prejudiced statements about a group are editorializing", "MFT", prejudiced, EDITORIAL),
            Test("neutral statements about a group are neutral", "MFT", neutral, NEUTRAL),
            Test("the group named does not change the label", "INV", swaps)]


def factual_test(part: str) -> Test:
    slots = {"name": cases.PEOPLE[part], "place": cases.PLACES[part], "city": cases.CITIES[part],
             "official": cases.OFFICIALS[part], **cases.SHARED}
    found = [Case([s], kind) for template, kind in cases.FACTUAL[part]
             for s in fixed_sample(fill(template, **slots), FILLS_PER_TEMPLATE)]
    return Test("short factual statements are neutral", "MFT", found, NEUTRAL)


def swap_tests(part: str) -> list[Test]:
    pronouns = {"they": [p for p, _ in cases.PRONOUNS], "They": [p.capitalize() for p, _ in cases.PRONOUNS],
                "their": [q for _, q in cases.PRONOUNS]}
    return [
        Test("swapping names keeps the label", "INV",
             [Case(fill(t, name=cases.PEOPLE[part]), "names") for t in cases.NAME_SWAPS[part]]),
        Test("swapping places keeps the label", "INV",
             [Case(fill(t, place=cases.PLACES[part]), "places") for t in cases.PLACE_SWAPS[part]]),
        Test("swapping pronouns keeps the label", "INV",
             [Case(_pronoun_fills(t, pronouns), "pronouns") for t in cases.PRONOUN_SWAPS[part]]),
    ]


def _pronoun_fills(template: str, pronouns: dict[str, list[str]]) -> list[str]:
    # one sentence per pronoun (he/his, she/her, they/their together), not every combination
    return [template.format(**{key: values[i] for key, values in pronouns.items()}) for i in range(len(cases.PRONOUNS))]


# --- loaded words in news sentences --------------------------------------------------------

LOADED = {w for part in cases.PARTS for w, *_ in cases.ADJECTIVES[part] + cases.ADVERBS[part]}
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
FIRST_PERSON = {"i", "we", "our", "us", "my", "me", "you", "your"}
REPORTING = re.compile(r"\d|\b(said|says|announced|reported|according to|told)\b")
NOUN_SITE = re.compile(r"\b([Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir) (" + "|".join(cases.PERSON_NOUNS + cases.THING_NOUNS)
                       + r")\b")
VERB_SITE = re.compile(r"\b([A-Z][a-z]+|" + "|".join(cases.PERSON_NOUNS) + r") (" + "|".join(cases.VERBS) + r")\b")


def is_neutral_base(sentence: str) -> bool:
    """A plain news sentence by rule (the words of both parts' lists included among the
    evaluative ones), whatever any model says of it."""
    words = [w.lower() for w in WORD.findall(sentence)]
    return (12 <= len(words) <= 32 and sentence[0].isupper() and sentence.endswith(".")
            and not any(c in sentence for c in "\"“”?!:;()[]–—")
            and not FIRST_PERSON & set(words) and not (cases.EVALUATIVE | LOADED) & set(words)
            and REPORTING.search(sentence) is not None)


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
                yield from (s for s in fixed_sample(sentences, len(sentences))
                            if is_neutral_base(s) and normalized(s) not in exclude)


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
    return [Test("a loaded adjective in a news sentence makes it editorializing", "DIR", adjective_cases, EDITORIAL),
            Test("a loaded adverb in a news sentence makes it editorializing", "DIR", adverb_cases, EDITORIAL)]


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
        raise FileNotFoundError(f"{corpus}: the AllSides articles the loaded-word tests take their sentences "
                                f"from are not there (pass --corpus)")
    exclude = babe_sentences(BABE) if exclude is None else exclude
    return [*group_tests(part), *loaded_word_tests(part, Path(corpus), exclude), factual_test(part), *swap_tests(part)]


def training_examples(tests: list[Test], bases: Iterable[str]) -> list[dict]:
    """Labelled sentences from a part's tests, for augmentation (the seen part only): every
    sentence of a test with an expected label gets that label, and the news sentences the
    loaded words went into are neutral beside them (pairs that differ in one word).
    Invariance tests carry no label of their own and give nothing."""
    rows = [{"text": s, "label": test.expected, "test": test.name, "grade": case.grade}
            for test in tests if test.expected for case in test.cases for s in case.sentences]
    rows += [{"text": s, "label": NEUTRAL, "test": "news sentences before the loaded word", "grade": "base"}
             for s in bases]
    return rows


def news_bases(tests: list[Test]) -> list[str]:
    """The news sentences of the loaded-word tests, before their word went in."""
    found = []
    for test in tests:
        if test.kind == "DIR":
            for case in test.cases:
                words = case.sentences[0].split(" ")
                found += [" ".join(words[:i] + words[i + 1:]) for i, w in enumerate(words) if w in LOADED][:1]
    return list(dict.fromkeys(found))


# --- running and reporting -----------------------------------------------------------------

def failures(test: Test, labels_of: Callable[[list[str]], list[str]]) -> list[dict]:
    """The failed cases of a test, each with its sentences, grade and the labels they got."""
    flat = [s for case in test.cases for s in case.sentences]
    got = iter(labels_of(flat))
    failed = []
    for case in test.cases:
        labels = [next(got) for _ in case.sentences]
        wrong = len(set(labels)) > 1 if test.kind == "INV" else any(label != test.expected for label in labels)
        if wrong:
            failed.append({"sentences": case.sentences, "grade": case.grade, "template": case.template,
                           "labels": labels})
    return failed


def rates_by(test: Test, failed: list[dict], field: str) -> dict[str, dict]:
    """Cases and failure rate for each value of the cases' `field` ("grade" or "template"), in
    the order the cases first have it; cases without one are left out."""
    cases_of = Counter(getattr(c, field) for c in test.cases if getattr(c, field) is not None)
    failed_of = Counter(f[field] for f in failed)
    return {key: {"cases": n, "failure_rate": failed_of[key] / n} for key, n in cases_of.items()}


def per_template(test: Test, failed: list[dict]) -> dict[str, dict]:
    """Each group template's grade, cases and failure rate. A grade's rate can hide one sentence
    form that fails for every group while the grade's other forms pass: per template, a recipe
    that learned a form shows apart from one that learned the kind. The grade is the template's
    own ("" where its cases have several, as in the swap test, one case per kind of group)."""
    grades_of: dict[str, set[str]] = defaultdict(set)
    for c in test.cases:
        grades_of[c.template].add(c.grade)
    return {t: {"grade": next(iter(grades_of[t])) if len(grades_of[t]) == 1 else "", **stats}
            for t, stats in rates_by(test, failed, "template").items()}


def run_suite(labels_of: Callable[[list[str]], list[str]], tests: list[Test]) -> dict:
    rows = []
    for test in tests:
        failed = failures(test, labels_of)
        by_grade = dict(sorted(rates_by(test, failed, "grade").items()))
        by_template = per_template(test, failed)
        rows.append({"test": test.name, "kind": test.kind, "cases": len(test.cases),
                     "sentences": sum(len(c.sentences) for c in test.cases), "failed": len(failed),
                     "failure_rate": len(failed) / len(test.cases), "by_grade": by_grade,
                     "by_template": by_template, "examples": failed[:5]})
    rates = [row["failure_rate"] for row in rows]
    return {"tests": rows, "mean_failure_rate": sum(rates) / len(rates), "max_failure_rate": max(rates)}


def table_head(first: str, names: list[str]) -> list[str]:
    """A markdown table's header and rule: `first`'s three columns, then one per checkpoint."""
    return [f"| {first} | " + " | ".join(names) + " |",
            "| --- | --- | --- | " + " | ".join("---" for _ in names) + " |"]


def render(results: list[dict], names: list[str], part: str, by_template: bool = False) -> str:
    lines = [f"## Behavioural tests, {part} part", "", *table_head("test | kind | cases", names)]
    for i, row in enumerate(results[0]["tests"]):
        rates = " | ".join(f"{r['tests'][i]['failure_rate']:.1%}" for r in results)
        lines.append(f"| {row['test']} | {row['kind']} | {row['cases']} | {rates} |")
        for grade in row["by_grade"] if len(row["by_grade"]) > 1 else []:
            graded = " | ".join(f"{r['tests'][i]['by_grade'][grade]['failure_rate']:.1%}" for r in results)
            lines.append(f"| &nbsp;&nbsp;{grade} | | {row['by_grade'][grade]['cases']} | {graded} |")
    for label, key in (("mean failure rate", "mean_failure_rate"), ("highest", "max_failure_rate")):
        lines.append(f"| **{label}** | | | " + " | ".join(f"**{r[key]:.1%}**" for r in results) + " |")
    for i, row in enumerate(results[0]["tests"] if by_template else []):
        if not row["by_template"]:
            continue
        lines += ["", f"### {row['test']}, by template", "", *table_head("template | grade | cases", names)]
        for template, stats in row["by_template"].items():
            rates = " | ".join(f"{r['tests'][i]['by_template'][template]['failure_rate']:.1%}" for r in results)
            cell = template.replace("|", r"\|")  # a "|" would end the table cell
            lines.append(f"| {cell} | {stats['grade']} | {stats['cases']} | {rates} |")
    return "\n".join(lines + [""])


def main(argv: Optional[list[str]] = None) -> None:
    from framing.predictor import FramingClassifier

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", action="append", help="checkpoint folder, repeatable: one column each "
                                                              "(default: the shipped model)")
    parser.add_argument("--part", default="unseen", choices=cases.PARTS,
                        help="unseen (default): what no training saw; seen: what augmentation may use")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the AllSides articles.parquet")
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--output", help="write the results here as JSON")
    parser.add_argument("--by-template", action="store_true",
                        help="also print each group-statement template's failure rate (the JSON always has them)")
    parser.add_argument("--write-examples", metavar="FILE.csv",
                        help="write the seen part's sentences with their expected labels (text, label, test, grade) "
                             "for augmentation, and score nothing")
    parser.add_argument("--write-news", metavar="FILE.csv",
                        help="write the unseen part's news sentences (before a loaded word went in) as a text "
                             "column, for `framing pool --exclude`: no pool sentence is then one the suite tests")
    parser.add_argument("--write-group-terms", metavar="FILE.csv",
                        help="write the seen part's social groups as swap sets (set, term), one set per kind, "
                             "for a training config's `counterfactuals.terms`")
    parser.add_argument("--overwrite", action="store_true", help="let a --write-* option replace an existing file")
    args = parser.parse_args(argv)
    if args.overwrite and not (args.write_group_terms or args.write_examples or args.write_news):
        parser.error("--overwrite applies to --write-examples, --write-news or --write-group-terms only")
    from behaviour_writers import write_examples, write_group_terms, write_news

    if args.write_group_terms:
        return write_group_terms(Path(args.write_group_terms), args.overwrite)
    if args.write_examples:
        return write_examples(Path(args.write_examples), args.corpus, args.overwrite)
    if args.write_news:
        return write_news(Path(args.write_news), args.corpus, args.overwrite)
    tests = suite(args.part, args.corpus)
    results, names = [], []
    for checkpoint in args.checkpoint or [None]:
        classifier = FramingClassifier.from_pretrained(checkpoint, runtime=args.runtime)
        result = run_suite(lambda texts: [r["label"] for r in classifier(texts)], tests)
        results.append({"checkpoint": str(classifier.checkpoint_dir), **result})
        names.append(checkpoint or "shipped")
    print(render(results, names, args.part, args.by_template))
    if args.output:
        from framing.output import write_json

        write_json(args.output, {"part": args.part, "results": results})


if __name__ == "__main__":
    main()
