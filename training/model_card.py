"""The README.md model card written into every checkpoint folder (Hugging Face format:
YAML front matter, then provenance, intended use, limits and metrics)."""

from __future__ import annotations

from typing import Any

import yaml

from framing.training.config import Config

BABE_CITATION = """@inproceedings{spinde-etal-2021-neural-media,
    title = "Neural Media Bias Detection Using Distant Supervision With {BABE} - Bias Annotations By Experts",
    author = "Spinde, Timo and Plank, Manuel and Krieger, Jan-David and Ruas, Terry and Gipp, Bela and Aizawa, Akiko",
    booktitle = "Findings of the Association for Computational Linguistics: EMNLP 2021",
    year = "2021",
    pages = "1166--1177",
    doi = "10.18653/v1/2021.findings-emnlp.101"
}"""


WIKINPOV_CITATION = """@inproceedings{hube-fetahu-2019-neural,
    title = "Neural Based Statement Classification for Biased Language",
    author = "Hube, Christoph and Fetahu, Besnik",
    booktitle = "Proceedings of the Twelfth ACM International Conference on Web Search and Data Mining (WSDM)",
    year = "2019",
    doi = "10.1145/3289600.3291018"
}"""


def _uses_wikinpov(config: Config) -> bool:
    return bool(config.intermediate) and "wikinpov" in config.intermediate.data.lower()


def _uses_babe(config: Config) -> bool:
    return "babe" in f"{config.data.train} {config.data.dev}".lower()


def render_model_card(config: Config, meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    dev = metrics.get("dev", {})
    babe = _uses_babe(config)
    front = {
        "license": "agpl-3.0" if babe else "other",
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "base_model": config.model.base,
        "datasets": (["mediabiasgroup/BABE"] if babe else [config.data.train])
                    + (["WikiNPOV (Hube and Fetahu, WSDM 2019; via MBIB)"] if _uses_wikinpov(config)
                       else [config.intermediate.data] if config.intermediate else []),
        "language": ["en"],
        "tags": ["framing", "media-bias", "text-classification"],
    }
    if dev:
        front["model-index"] = [{
            "name": config.name,
            "results": [{
                "task": {"type": "text-classification"},
                "dataset": {"name": "BABE SG2 dev split" if babe else str(config.data.dev), "type": "text-classification"},
                "metrics": [
                    {"type": "f1", "name": "macro-F1", "value": round(dev["macro_f1"], 4)},
                    {"type": "accuracy", "value": round(dev["accuracy"], 4)},
                    {"type": "ece", "name": "expected calibration error", "value": round(dev["ece"], 4)},
                ],
            }],
        }]
    labels = ", ".join(f"`{raw}` → `{name}`" for raw, name in meta["label_mapping"].items())
    lines = [
        "---", yaml.safe_dump(front, sort_keys=False).strip(), "---", "",
        f"# {config.name}", "",
        f"A `framing` checkpoint: fine-tuned from `{config.model.base}` to label a passage as one of "
        f"{', '.join(f'`{n}`' for n in meta['labels'])}. Label mapping from the data: {labels}.", "",
        "## Use", "",
        "```python", "from framing import FramingClassifier",
        "clf = FramingClassifier.from_pretrained(\"path/to/this/folder\")",
        "clf(\"The senator's apologist foreign policy was another humiliating retreat.\")", "```", "",
        "The folder also loads with `transformers.AutoModelForSequenceClassification.from_pretrained` "
        "(sentence labels, uncalibrated logits). `framing` divides the logits by the calibration "
        f"temperature in `framing.json` (T = {meta['temperature']:.3f}, fitted on the dev split).", "",
        "## Training data", "",
        f"- train: `{config.data.train}` ({metrics.get('train_examples', '?')} passages), "
        f"text column `{config.data.text_column}`, label column `{config.data.label_column}`",
        f"- dev: `{config.data.dev}`, used for "
        + ("picking the epoch, " if config.train.select == "best" and config.train.average_last == 1 else "")
        + "the calibration temperature and the word threshold",
        f"- the resolved training config is in `training_config.yaml`; training took {metrics.get('train_seconds')} s"
        + (" (the part after resuming)" if metrics.get("resumed") else "") + ".",
    ]
    lines += [f"- {d['split']} data `{d['source']}`: sha256 `{d['sha256']}`" if d.get("sha256")
              else f"- {d['split']} data `{d['source']}`: a hub dataset (its revision is tracked by the hub)"
              for d in metrics.get("data", [])]
    if meta.get("multi_label"):
        thresholds = ", ".join(f"`{k}` {v:.2f}" for k, v in meta.get("thresholds", {}).items())
        lines += [f"- label scheme: multi-label (an independent sigmoid per label); a label is predicted when its "
                  f"probability reaches its threshold, tuned on dev for F1: {thresholds}"]
    else:
        lines += [f"- label scheme: single-label, {len(meta['labels'])} classes (softmax)"
                  + (f"; rows labelled {', '.join(f'`{d}`' for d in meta['drop_labels'])} left out"
                     if meta.get("drop_labels") else "")]
    if config.intermediate:
        stage = config.intermediate
        lines += [
            f"- before that, an intermediate stage: {stage.epochs} epoch(s) on `{stage.data}` "
            f"({'a class-balanced sample of at most ' + str(stage.max_examples) if stage.max_examples else 'all'} rows; "
            f"labels {', '.join(f'`{k}` → `{v}`' for k, v in stage.labels.items())}), sentence head only",
        ]
    if babe:
        lines += [
            "", "BABE (Bias Annotations By Experts, SG2): sentences from US news outlets, each labelled by five "
            "trained expert annotators (majority vote; Krippendorff's alpha about 0.40). Released under AGPL-3.0 "
            "by the Media Bias Group; these weights are derived from it. Please cite:", "", "```bibtex",
            BABE_CITATION, "```",
        ]
    if _uses_wikinpov(config):
        lines += [
            "", "WikiNPOV: Wikipedia statements flagged for violating the neutral point of view policy and "
            "confirmed by crowd annotators, with neutral statements from featured articles, as redistributed in "
            "the Media Bias Identification Benchmark (MBIB, Wessel et al., SIGIR 2023; GPL-3.0). Please cite:",
            "", "```bibtex", WIKINPOV_CITATION, "```",
        ]
    if dev:
        low, high = dev.get("macro_f1_ci95", [float("nan")] * 2)
        lines += [
            "", "## Dev metrics", "",
            "| metric | value |", "| --- | --- |",
            f"| macro-F1 | {dev['macro_f1']:.4f} (95% bootstrap CI {low:.3f}–{high:.3f}) |",
            f"| {'exact-match accuracy' if meta.get('multi_label') else 'accuracy'} | {dev['accuracy']:.4f} |",
            f"| ROC-AUC | {dev.get('roc_auc', float('nan')):.4f} |",
            f"| ECE (calibrated) | {dev['ece']:.4f} |",
            f"| ECE (before calibration) | {dev.get('ece_before_calibration', float('nan')):.4f} |",
        ]
        if "words" in dev:
            w = dev["words"]
            lines += [f"| highlighted words: precision / recall / F1 | {w['precision']:.4f} / {w['recall']:.4f} / "
                      f"{w['f1']:.4f} (threshold {w['threshold']:.2f}) |"]
        lines += [
            "", "The dev split also set the temperature (and the word threshold), so the calibration figures "
            "are slightly optimistic; `framing crossval` in the framing repository gives a fairer estimate of "
            "macro-F1.",
        ]
    lines += [
        "", "## Sharing", "",
        "The folder is a complete Hugging Face model repository (weights in safetensors, tokenizer, config "
        "with `id2label`, this card). To publish it: `huggingface-cli login`, then "
        "`huggingface_hub.HfApi().upload_folder(folder_path=\"path/to/this/folder\", repo_id=\"you/name\")`; "
        "users load it with `FramingClassifier.from_pretrained(\"you/name\")`.",
    ]
    lines += [
        "", "## Intended use and limits", "",
        "- Intended: flagging sentences of English news that editorialize (loaded or opinionated wording), "
        "for media-literacy tools and for research on media bias, as an aid to a human reader.",
        "- Not intended: judging outlets, authors or people; automated moderation or ranking without human review.",
        "- Trained on single sentences from US political news (2017–2020); other genres, regions, eras and "
        "languages will be less accurate. The model scores quoted speech like the writer's own words; `analyze` marks quotations so that callers can tell them apart.",
        "- Expert annotators disagreed often (alpha about 0.40): treat scores near 0.5 as uncertain.",
        "",
    ]
    return "\n".join(lines)
