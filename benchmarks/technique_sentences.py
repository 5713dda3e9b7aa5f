"""The technique head on single sentences, the unit `analyze` shows it on (SemEval-2023, which
trains and scores it, labels paragraphs), for one or more checkpoints side by side:

    python benchmarks/technique_sentences.py --checkpoint fast --checkpoint accurate [--output results.json]

BABE dev's sentences with the experts' reviewed labels stand in for the missing sentence labels
(its bias is mostly lexical, so it is a proxy for loaded language, not a technique label):
- how well the loaded-language probability ranks biased over neutral sentences (ROC-AUC);
- how often loaded language, and any technique, is found on biased and on neutral sentences.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from framing import FramingClassifier  # noqa: E402
from framing.output import write_json  # noqa: E402

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "babe" / "babe_sg2_dev.csv"
LOADED = "Loaded_Language"


def sentence_figures(classifier: FramingClassifier, texts: list[str], biased) -> dict:
    from sklearn.metrics import roc_auc_score

    probabilities = classifier.predict_techniques(texts)  # [N, K] calibrated
    found = probabilities >= classifier.meta.techniques.threshold_array()
    loaded = classifier.technique_labels.index(LOADED)
    return {
        "sentences": len(texts),
        "loaded_language_roc_auc": round(float(roc_auc_score(biased, probabilities[:, loaded])), 4),
        "loaded_language_found": {
            "biased": round(float(found[biased, loaded].mean()), 4),
            "neutral": round(float(found[~biased, loaded].mean()), 4),
        },
        "any_technique_found": {
            "biased": round(float(found[biased].any(axis=1).mean()), 4),
            "neutral": round(float(found[~biased].any(axis=1).mean()), 4),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", action="append", required=True, help="repeat to compare")
    parser.add_argument("--data", default=str(DEV))
    parser.add_argument("--output", help="write the figures as JSON")
    args = parser.parse_args()
    rows = pd.read_csv(args.data)
    rows = rows[rows["label_bias_reviewed"].isin(["Biased", "Non-biased"])]
    texts, biased = rows["text"].tolist(), (rows["label_bias_reviewed"] == "Biased").to_numpy()
    results = {}
    for checkpoint in args.checkpoint:
        figures = sentence_figures(FramingClassifier.from_pretrained(checkpoint), texts, biased)
        results[checkpoint] = figures
        found, anything = figures["loaded_language_found"], figures["any_technique_found"]
        print(
            f"{checkpoint}: loaded language ROC-AUC {figures['loaded_language_roc_auc']:.3f} (biased vs neutral); "
            f"found on biased {found['biased']:.1%}, neutral {found['neutral']:.1%}; any technique on biased "
            f"{anything['biased']:.1%}, neutral {anything['neutral']:.1%} ({figures['sentences']} sentences)"
        )
    if args.output:
        write_json(Path(args.output), results)


if __name__ == "__main__":
    main()
