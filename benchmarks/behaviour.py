"""Behavioural tests of checkpoints, in the manner of CheckList (Ribeiro et al., ACL 2020):
thousands of sentences built from templates and word lists written for this project
(training/behaviour/*.yaml, read by training/behaviour_cases.py) and from real news sentences
of the AllSides corpus; training/behaviour_data.py builds them, and writes what training takes
from them (the --write-* options).

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
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a source checkout

from framing.training import behaviour_cases as cases  # noqa: E402  (framing from REPO, put on sys.path above)
from framing.training.behaviour_data import CORPUS, Test, suite  # noqa: E402

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
            failed.append(
                {"sentences": case.sentences, "grade": case.grade, "template": case.template, "labels": labels}
            )
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
    return {
        t: {"grade": next(iter(grades_of[t])) if len(grades_of[t]) == 1 else "", **stats}
        for t, stats in rates_by(test, failed, "template").items()
    }


def run_suite(labels_of: Callable[[list[str]], list[str]], tests: list[Test]) -> dict:
    rows = []
    for test in tests:
        failed = failures(test, labels_of)
        by_grade = dict(sorted(rates_by(test, failed, "grade").items()))
        by_template = per_template(test, failed)
        rows.append(
            {
                "test": test.name,
                "kind": test.kind,
                "cases": len(test.cases),
                "sentences": sum(len(c.sentences) for c in test.cases),
                "failed": len(failed),
                "failure_rate": len(failed) / len(test.cases),
                "by_grade": by_grade,
                "by_template": by_template,
                "examples": failed[:5],
            }
        )
    rates = [row["failure_rate"] for row in rows]
    return {"tests": rows, "mean_failure_rate": sum(rates) / len(rates), "max_failure_rate": max(rates)}


def table_head(first: str, names: list[str]) -> list[str]:
    """A markdown table's header and rule: `first`'s three columns, then one per checkpoint."""
    return [
        f"| {first} | " + " | ".join(names) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]


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


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--checkpoint",
        action="append",
        help="checkpoint folder, repeatable: one column each (default: the shipped model)",
    )
    parser.add_argument(
        "--part",
        default="unseen",
        choices=cases.PARTS,
        help="unseen (default): what no training saw; seen: what augmentation may use",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the AllSides articles.parquet")
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--output", help="write the results here as JSON")
    parser.add_argument(
        "--by-template",
        action="store_true",
        help="also print each group-statement template's failure rate (the JSON always has them)",
    )
    parser.add_argument(
        "--write-examples",
        metavar="FILE.csv",
        help="write the seen part's sentences with their expected labels (text, label, test, grade) "
        "for augmentation, and score nothing",
    )
    parser.add_argument(
        "--write-news",
        metavar="FILE.csv",
        help="write the unseen part's news sentences (before a loaded word went in) as a text "
        "column, for `framing pool --exclude`: no pool sentence is then one the suite tests",
    )
    parser.add_argument(
        "--write-group-terms",
        metavar="FILE.csv",
        help="write the seen part's social groups as swap sets (set, term), one set per kind, "
        "for a training config's `counterfactuals.terms`",
    )
    parser.add_argument("--overwrite", action="store_true", help="let a --write-* option replace an existing file")
    return parser


def main(argv: Optional[list[str]] = None) -> None:
    from framing.predictor import FramingClassifier

    parser = arguments()
    args = parser.parse_args(argv)
    if args.overwrite and not (args.write_group_terms or args.write_examples or args.write_news):
        parser.error("--overwrite applies to --write-examples, --write-news or --write-group-terms only")
    from framing.training.behaviour_data import write_examples, write_group_terms, write_news

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
