"""Behavioural tests of a checkpoint, in the manner of CheckList (Ribeiro et al., ACL 2020):
capabilities checked with sentences built from templates written for this project.

    python benchmarks/behaviour.py [--checkpoint DIR] [--output results.json]

Three kinds of test:
- minimum functionality (MFT): every sentence must get the expected label (short factual
  statements are neutral; sentences with a loaded word are editorializing);
- directional (DIR): a neutral sentence with a loaded adjective or adverb inserted must be
  editorializing;
- invariance (INV): swapping a name, place, pronoun or social group (religion, nationality,
  party, gender) must not change the label. A case is a template; it fails when its fills do
  not all get the same label.

Prints each test's failure rate and the mean; with --output, writes them as JSON. Every
sentence goes through the same `predict` users call.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

NEUTRAL, EDITORIAL = "neutral", "editorializing"

PEOPLE = ["Maria Lopez", "John Miller", "Aisha Khan", "Wei Zhang", "David Cohen", "Jamal Washington",
          "Olga Petrov", "Priya Patel"]
OFFICIALS = ["the senator", "the governor", "the mayor", "the secretary", "the congresswoman", "the attorney general"]
PLACES = ["Ohio", "Texas", "California", "Georgia", "Michigan", "Arizona", "New York", "Florida"]
CITIES = ["Chicago", "Houston", "Phoenix", "Atlanta", "Detroit", "Denver", "Seattle", "Miami"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
BODIES = ["The Senate", "The House", "The city council", "The state legislature", "The school board"]
AGENCIES = ["the Labor Department", "the Census Bureau", "the Federal Reserve", "the health department",
            "the Justice Department"]
RELIGIONS = ["Muslim", "Christian", "Jewish", "Hindu", "Buddhist", "Catholic"]
NATIONALITIES = ["Mexican", "Chinese", "Russian", "Nigerian", "Indian", "Canadian", "Syrian", "Irish"]
PARTIES = ["Democratic", "Republican", "Libertarian", "Green Party"]
GROUPS_OF_PEOPLE = ["women", "men", "immigrants", "veterans", "students", "retirees"]
LOADED_ADJECTIVES = ["disgraceful", "radical", "corrupt", "shameless", "incompetent", "extremist", "dishonest",
                     "reckless", "pathetic", "outrageous"]
LOADED_ADVERBS = ["shamelessly", "recklessly", "brazenly", "cynically", "absurdly", "foolishly", "arrogantly",
                  "desperately"]


@dataclass
class Test:
    name: str
    kind: str  # MFT, DIR or INV
    cases: list[list[str]]  # MFT/DIR: one sentence a case; INV: the fills of one template
    expected: Optional[str] = None  # MFT/DIR: the label every sentence must get


def fill(template: str, **slots: Sequence[str]) -> list[str]:
    """Every combination of the slot values, in a fixed order."""
    keys = list(slots)
    return [template.format(**dict(zip(keys, values))) for values in itertools.product(*(slots[k] for k in keys))]


def factual_statements() -> list[str]:
    templates = [
        ("{who} met with {official} on {day}.", dict(who=PEOPLE[:4], official=OFFICIALS[:3], day=DAYS[:2])),
        ("{body} will vote on the budget bill on {day}.", dict(body=BODIES, day=DAYS[:3])),
        ("{agency} released the monthly figures on {day}.", dict(agency=AGENCIES, day=DAYS[:3])),
        ("The hearing in {place} was moved to {day}.", dict(place=PLACES[:5], day=DAYS[:3])),
        ("{who} was born in {city} and studied law.", dict(who=PEOPLE, city=CITIES[:3])),
        ("The company employs about 4,000 people in {place}.", dict(place=PLACES)),
        ("Polls close at 8 p.m. in {place}.", dict(place=PLACES)),
        ("{official} said the report would be published next week.", dict(official=OFFICIALS)),
    ]
    return [s for template, slots in templates for s in fill(template, **slots)]


def neutral_bases() -> list[tuple[str, str]]:
    """(sentence with an {adj} slot before a noun, same with an {adv} slot before the verb)."""
    return [
        ("The {adj} senator introduced the bill on Tuesday.", "The senator {adv} introduced the bill on Tuesday."),
        ("The {adj} governor signed the order in Austin.", "The governor {adv} signed the order in Austin."),
        ("The {adj} proposal would raise the minimum wage.", "The proposal would {adv} raise the minimum wage."),
        ("The mayor announced the {adj} plan at a news conference.",
         "The mayor {adv} announced the plan at a news conference."),
        ("The {adj} agency changed its rules last year.", "The agency {adv} changed its rules last year."),
        ("The administration defended its {adj} policy in court.",
         "The administration {adv} defended its policy in court."),
    ]


def suite() -> list[Test]:
    bases = neutral_bases()
    return [
        Test("short factual statements are neutral", "MFT", [[s] for s in factual_statements()], NEUTRAL),
        Test("the neutral base sentences are neutral", "MFT",
             [[adj.replace("{adj} ", "")] for adj, _ in bases], NEUTRAL),
        Test("a loaded adjective inserted makes it editorializing", "DIR",
             [[adj.format(adj=word)] for adj, _ in bases for word in LOADED_ADJECTIVES], EDITORIAL),
        Test("a loaded adverb inserted makes it editorializing", "DIR",
             [[adv.format(adv=word)] for _, adv in bases for word in LOADED_ADVERBS], EDITORIAL),
        Test("swapping names keeps the label", "INV", [fill(t, who=PEOPLE) for t in [
            "{who} announced a run for the state senate on Monday.",
            "{who}, a spokesperson for the campaign, declined to comment.",
            "{who} has been a disgrace to the office and should resign.",
            "{who} was appointed to lead the commission in March.",
            "{who}'s ridiculous tirade embarrassed the whole department.",
            "{who} told reporters the agency would hire 200 inspectors.",
            "The lawsuit filed by {who} was dismissed on Thursday.",
            "{who} cynically exploited the tragedy to raise money.",
        ]]),
        Test("swapping places keeps the label", "INV", [fill(t, place=PLACES) for t in [
            "Officials in {place} reported 120 new cases on Friday.",
            "The governor of {place} signed the spending bill into law.",
            "{place}'s lawmakers pushed through another reckless giveaway to donors.",
            "Unemployment in {place} fell to 4.1 percent in June.",
            "Voters in {place} will choose a new attorney general in November.",
            "The drought in {place} has cut wheat harvests by a third.",
            "{place} officials bungled the rollout in spectacularly incompetent fashion.",
            "Schools in {place} will reopen on Monday after the storm.",
        ]]),
        Test("swapping pronouns keeps the label", "INV", [fill(t, p=["he", "she", "they"]) for t in [
            "The official said {p} would testify before the committee next week.",
            "Asked about the vote, {p} said the bill needed more work.",
            "As usual, {p} lied shamelessly to avoid any accountability.",
            "In the interview, {p} described the plan as a first step.",
            "Before the vote, {p} met with union leaders in Detroit.",
            "Once again {p} peddled a preposterous conspiracy theory.",
            "After the hearing, {p} left the building without speaking to reporters.",
        ]]),
        Test("swapping religions keeps the label", "INV", [fill(t, g=RELIGIONS) for t in [
            "The {g} community center opened a food bank on Sunday.",
            "{g} leaders met with the mayor to discuss the new zoning rules.",
            "The survey asked 2,000 {g} Americans about their voting plans.",
            "{g} extremists are once again poisoning our public schools.",
            "A {g} charity delivered 5,000 meals to flood victims.",
            "The court ruled on a dispute over a {g} cemetery on Tuesday.",
            "The bigoted {g} zealots want to impose their backward views on everyone.",
            "About 40 {g} students attended the forum.",
        ]]),
        Test("swapping nationalities keeps the label", "INV", [fill(t, g=NATIONALITIES) for t in [
            "The {g} delegation arrived in Washington for trade talks.",
            "{g} immigrants made up about 3 percent of the county's population.",
            "The company hired 40 {g} engineers for its new office.",
            "The {g} regime's thugs crushed yet another peaceful protest.",
            "The {g} foreign minister will visit Berlin next month.",
            "The report counted 12,000 {g} workers in the region's farms.",
            "{g} hackers launched yet another cowardly attack on our democracy.",
            "The {g} embassy issued a statement on Friday.",
        ]]),
        Test("swapping parties keeps the label", "INV", [fill(t, g=PARTIES) for t in [
            "The {g} candidate will debate her opponent on Thursday.",
            "{g} lawmakers introduced a bill to change the filing deadline.",
            "The {g} primary drew about 300,000 voters.",
            "The {g} party's cynical power grab should alarm every voter.",
            "The {g} convention will be held in Milwaukee in August.",
            "A {g} spokesman said the party would release its platform soon.",
            "The {g} leadership's spineless surrender betrayed its own voters.",
            "{g} officials filed the paperwork on Monday.",
        ]]),
        Test("swapping genders keeps the label", "INV", [fill(t, g=GROUPS_OF_PEOPLE) for t in [
            "The program offers job training to {g} in three counties.",
            "The study followed 1,200 {g} over five years.",
            "The new rule applies to {g} who apply after January.",
            "Hysterical {g} keep demanding handouts they have not earned.",
        ]] + [fill(t, g=["man", "woman"], h=["his", "her"])[::3] for t in [
            "The {g} told police {h} car was stolen on Tuesday.",
            "The {g} was elected to the board after {h} second campaign.",
            "The {g} spent {h} entire career sabotaging honest reforms.",
        ]]),
    ]


def failures(test: Test, labels_of: Callable[[list[str]], list[str]]) -> list[dict]:
    """The failed cases of a test, each with its sentences and the labels they got."""
    flat = [s for case in test.cases for s in case]
    got = iter(labels_of(flat))
    failed = []
    for case in test.cases:
        labels = [next(got) for _ in case]
        wrong = len(set(labels)) > 1 if test.kind == "INV" else any(label != test.expected for label in labels)
        if wrong:
            failed.append({"sentences": case, "labels": labels})
    return failed


def run_suite(labels_of: Callable[[list[str]], list[str]]) -> dict:
    rows = []
    for test in suite():
        failed = failures(test, labels_of)
        rows.append({"test": test.name, "kind": test.kind, "cases": len(test.cases),
                     "sentences": sum(len(c) for c in test.cases), "failed": len(failed),
                     "failure_rate": len(failed) / len(test.cases), "examples": failed[:3]})
    rates = [row["failure_rate"] for row in rows]
    return {"tests": rows, "mean_failure_rate": sum(rates) / len(rates), "max_failure_rate": max(rates)}


def render(result: dict, title: str) -> str:
    lines = [f"## {title}", "", "| test | kind | cases | failure rate |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['test']} | {r['kind']} | {r['cases']} | {r['failure_rate']:.1%} |" for r in result["tests"]]
    lines += ["", f"Mean failure rate {result['mean_failure_rate']:.1%}, highest {result['max_failure_rate']:.1%}.", ""]
    return "\n".join(lines)


def main() -> None:
    from framing.predictor import FramingClassifier

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", help="checkpoint folder (default: the shipped model)")
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--output", help="write the results here as JSON")
    args = parser.parse_args()
    classifier = FramingClassifier.from_pretrained(args.checkpoint, runtime=args.runtime)
    result = run_suite(lambda texts: [r["label"] for r in classifier(texts)])
    result["checkpoint"] = str(classifier.checkpoint_dir)
    print(render(result, f"Behavioural tests: {classifier.checkpoint_dir}"))
    if args.output:
        from framing.output import write_json

        write_json(args.output, result)


if __name__ == "__main__":
    main()
