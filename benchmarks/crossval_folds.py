"""Each kept fold of a `framing crossval --teacher` run, re-scored: the student's, each fold
teacher's and the teachers' average macro-F1 on the held-out rows, on the config's label
column and on every other label column given (e.g. BABE's original `label_bias`, for the
rows that have one: the extra file has reviewed labels only).

    python benchmarks/crossval_folds.py --config configs/babe.yaml \
        --work runs/cv-strict/crossval.json.folds --label-columns label_bias

It reads the work folder's held-out probabilities and trains nothing: the figures of a run
still in progress, and the original-label figures that the crossval output lacks.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from transformers import AutoTokenizer  # noqa: E402

from framing.training.base_model import resolve_base_model  # noqa: E402
from framing.training.config import load_config  # noqa: E402
from framing.training.examples import join_examples, labelled_parts  # noqa: E402
from framing.training.labels import load_table  # noqa: E402
from framing.training.metrics import classification_metrics  # noqa: E402


def other_labels(config, column: str) -> dict[str, int]:
    """text -> label index in `column`, from every labelled file of the config that has it."""
    data, names = config.data, config.data.label_names
    found = {}
    for source in [data.train, *data.extra_train, data.dev]:
        frame = load_table(source)
        if column in frame.columns:
            found.update({text: names.index(data.labels[value]) for text, value in zip(frame["text"], frame[column])
                          if value in data.labels})
    return found


def fold_figures(work: Path, number: int, texts: list[str], gold: dict[str, int], labels: list[str]) -> dict:
    with np.load(work / f"fold-{number}.npz") as saved:
        rows, student = saved["test_idx"], saved["model"]  # [N], [N, C]
    teachers = [np.load(path)["test"] for path in sorted(work.glob(f"fold-{number}-teacher-*.npz"))]  # each [N, C]
    keep = [k for k, row in enumerate(rows) if texts[row] in gold]
    y = np.array([gold[texts[rows[k]]] for k in keep])

    def f1(proba):
        return round(classification_metrics(y, proba[keep], labels, 0)["macro_f1"], 4)

    return {"rows": len(keep), "student": f1(student), "teachers": [f1(t) for t in teachers],
            **({"teachers_average": f1(np.mean(teachers, axis=0))} if teachers else {})}


def rescore(config, work: Path, label_columns: list[str]) -> dict[str, dict[str, dict]]:
    """{label column: {fold number: figures}} for every fold kept in `work`."""
    tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(config.model.base))
    parts, _ = labelled_parts(config.data, tokenizer, config.model.max_length, with_dev=True)
    examples = join_examples(parts, config.data)  # the rows in crossval's order
    columns = {config.data.label_column: dict(zip(examples.texts, map(int, examples.labels)))}
    columns.update({column: other_labels(config, column) for column in label_columns})
    numbers = sorted(int(path.stem.split("-")[1]) for path in work.glob("fold-[0-9]*.npz")
                     if path.stem.count("-") == 1)
    return {column: {str(n): fold_figures(work, n, examples.texts, gold, config.data.label_names) for n in numbers}
            for column, gold in columns.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="the config the crossval run trained")
    parser.add_argument("--work", required=True, type=Path, help="the run's <output>.folds folder")
    parser.add_argument("--label-columns", nargs="*", default=[], help="other label columns to score against")
    parser.add_argument("--output", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    result = rescore(load_config(args.config), args.work, args.label_columns)
    for column, folds in result.items():
        for number, row in folds.items():
            teachers = ", ".join(map(str, row["teachers"]))
            print(f"{column:20s} fold {number} ({row['rows']} rows): student {row['student']:.4f}"
                  + (f"; teachers {teachers}, their average {row['teachers_average']:.4f}" if row["teachers"] else ""))
        means = {key: np.mean([row[key] for row in folds.values()]) for key in ("student", "teachers_average")
                 if all(key in row for row in folds.values())}
        print(f"{column:20s} mean over {len(folds)} folds: " + ", ".join(f"{k} {v:.4f}" for k, v in means.items()))
    if args.output:
        args.output.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
