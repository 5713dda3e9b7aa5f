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
from framing.training.crossval import load_fold  # noqa: E402
from framing.training.examples import join_examples, labelled_parts  # noqa: E402
from framing.training.labels import load_table  # noqa: E402
from framing.training.metrics import classification_metrics  # noqa: E402


def other_labels(config, column: str, texts: list[str]) -> np.ndarray:
    """Each row's label index in `column` [N] (-1 where none), matched by text from every
    labelled file of the config that has the column."""
    data, names = config.data, config.data.label_names
    found = {}
    for source in [data.train, *data.extra_train, data.dev]:
        frame = load_table(source)
        if column in frame.columns:
            found.update({text: names.index(data.labels[value]) for text, value in zip(frame["text"], frame[column])
                          if value in data.labels})
    return np.array([found.get(text, -1) for text in texts])


def fold_figures(work: Path, fold: Path, gold: np.ndarray, labels: list[str]) -> dict:
    """One kept fold's figures against `gold` [N rows of the run] (-1: no label, left out)."""
    row, (test_idx, student, _) = load_fold(fold)  # held-out rows [n], student probabilities [n, C]
    teachers = [np.load(path)["test"] for path in sorted(work.glob(f"fold-{row['fold']}-teacher-*.npz"))]  # [n, C]
    keep = gold[test_idx] >= 0

    def f1(proba):
        return round(classification_metrics(gold[test_idx][keep], proba[keep], labels, 0)["macro_f1"], 4)

    return {"rows": int(keep.sum()), "student": f1(student), "teachers": [f1(t) for t in teachers],
            **({"teachers_average": f1(np.mean(teachers, axis=0))} if teachers else {})}


def rescore(config, work: Path, label_columns: list[str]) -> dict[str, dict[str, dict]]:
    """{label column: {fold number: figures}} for every fold kept in `work`."""
    tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(config.model.base))
    parts, _ = labelled_parts(config.data, tokenizer, config.model.max_length, with_dev=True)
    examples = join_examples(parts, config.data)  # the rows in crossval's order
    columns = {config.data.label_column: examples.labels,
               **{column: other_labels(config, column, examples.texts) for column in label_columns}}
    folds = sorted(work.glob("fold-[0-9]*.npz"), key=lambda path: int(path.stem.split("-")[1]))
    folds = [path for path in folds if path.stem.count("-") == 1]  # not the teachers' fold-N-teacher-K.npz
    return {column: {path.stem.split("-")[1]: fold_figures(work, path, gold, config.data.label_names) for path in folds}
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
