"""The README.md model card written into every checkpoint folder: a huggingface_hub ModelCard,
its metadata (licence, base model, datasets, the dev metrics as model-index) from ModelCardData
and its text from model_card_template.md (use, training data, dataset notes, licences, dev
metrics, sharing, limits), filled in here. Facts about the data (name, licence, domain,
citation) come from the config's `about` sections (training.config.DatasetFacts); nothing is
guessed from a file path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from framing.checkpoint import CheckpointMeta
from framing.output import write_text
from framing.training.config import Config, DatasetFacts, load_config
from framing.training.config_files import DATA_ROOT_VARIABLE, data_root
from framing.training.evaluate import group_table

# Read when the module is imported (training imports it first thing), so that a template that did
# not install with the package stops `framing train` at once, not after hours, at the card.
TEMPLATE = Path(__file__).with_name("model_card_template.md").read_text(encoding="utf-8")


def render_model_card(config: Config, meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    """`meta`: the checkpoint's framing.json values; `metrics`: training's metrics.json."""
    dev = metrics.get("dev", {})
    sections = {
        "name": config.name,
        "base": base_description(config),
        "labels": ", ".join(f"`{n}`" for n in meta["labels"]),
        "mapping": ", ".join(f"`{raw}` → `{name}`" for raw, name in meta["label_mapping"].items()),
        "calibration": calibration_sentence(meta),
        "training_data": training_data_lines(config, meta, metrics),
        "dataset_notes": [
            {"about": dataset_about(source, facts), "citation": (facts.citation or "").strip()}
            for source, facts in datasets(config)
            if facts.name or facts.description or facts.citation
        ],
        "licences": licence_lines(config),
        "dev_metrics": dev_metric_rows(meta, dev, metrics.get("dev_by_label_column", {})),
        "groups": groups_lines(metrics.get("dev_by_group", {})),
        "techniques": technique_lines(meta),
        "domain": config.data.about.domain or f"the texts of `{config.data.train}`",
    }
    data = card_data(config, dev)
    # the metadata in the order cards have always had, licence first ({{ card_data }} is alphabetical)
    metadata = data.to_yaml(original_order=["license", "library_name", "pipeline_tag", "base_model", "datasets"])
    card = str(ModelCard.from_template(data, template_str=TEMPLATE, metadata=metadata, **sections))
    # data files under the data root are named from it, never by this machine's path to it
    return card.replace(f"`{data_root()}/", f"`${{{DATA_ROOT_VARIABLE}}}/")


def technique_lines(meta: dict[str, Any]) -> list[str]:
    """The technique head's section: what it detects, how, and each technique's dev figures."""
    head = meta.get("techniques")
    if not head:
        return []
    from framing.techniques import display_name

    folded = ", ".join(head["folded"])
    folded = f" Too rare to learn, and counted as `Other_Technique`: {folded}." if folded else ""
    layers, mlp = head["layers"], f"a {head['hidden']}-unit MLP" if head.get("hidden") else "a linear layer"
    reads = f"a copy of the encoder's last {layers} layer(s)" if layers else "the encoder's last hidden states"
    reads += f", mean- and max-pooled, through {mlp}"
    if head.get("lexical_weight"):
        reads += f", its logits mixed with a TF-IDF logistic regression's at {head['lexical_weight']:g}"
    shared = len(set(head.get("thresholds", {}).values())) == 1 < len(head["labels"])
    threshold = "a threshold tuned on dev" + (" for micro-F1, one shared by every technique" if shared else "")
    lines = [
        "## Persuasion techniques",
        "",
        f"Beside its label, each passage gets the persuasion techniques it uses ({len(head['labels'])}), each with "
        f"a calibrated probability and {threshold}, from {reads}, trained on "
        f"{head.get('data') or 'labelled passages'} with the encoder frozen: the other outputs are those of "
        f"the model without it.{folded}",
        "",
        "| technique | precision | recall | F1 | dev support | threshold |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label in head["labels"]:
        row = head.get("dev", {}).get(label, {})
        figures = " | ".join(f"{row[key]:.3f}" if key in row else "-" for key in ("precision", "recall", "f1"))
        support = int(row["support"]) if "support" in row else "-"
        lines.append(f"| {display_name(label)} | {figures} | {support} | {head['thresholds'].get(label, 0.5):.2f} |")
    averaged = head.get("dev", {})
    if "micro" in averaged:
        lines += [
            "",
            f"Micro-F1 {averaged['micro']['f1']:.3f}, macro-F1 {averaged['macro']['f1']:.3f} on dev (which also "
            "fitted the calibration and thresholds, so a little optimistic).",
        ]
    return lines + [""]


def refresh_model_card(folder: str | Path, meta: CheckpointMeta) -> None:
    """Re-render a trained checkpoint's card after its framing.json changed (e.g. `framing
    calibrate`); a folder without its training config or metrics keeps the card it has."""
    folder = Path(folder)
    config_file, metrics_file = folder / "training_config.yaml", folder / "metrics.json"
    if config_file.is_file() and metrics_file.is_file():
        metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        write_text(folder / "README.md", [render_model_card(load_config(config_file), meta.model_dump(), metrics)])


def datasets(config: Config) -> list[tuple[str, DatasetFacts]]:
    """(path or id, facts) of each dataset the model learned from, main data first; a file used in
    two ways (an intermediate stage and mixed in) is named once."""
    used = [(config.data.train, config.data.about)]
    if config.intermediate:
        used.append((config.intermediate.data, config.intermediate.about))
    used += [(source.data, source.about) for source in config.mixed]
    if config.distill:
        used.append((config.distill.scores[0], config.distill.about))
    if config.techniques:
        used.append((config.techniques.train, config.techniques.about))
    first_use: dict[str, DatasetFacts] = {}
    for source, facts in used:
        first_use.setdefault(source, facts)
    return list(first_use.items())


def card_data(config: Config, dev: dict[str, Any]) -> ModelCardData:
    """The card's metadata: the hub reads the licence, base model and datasets from it, and the
    dev metrics (model-index) for its evaluation results."""
    results = None
    if dev:
        dataset = {
            "task_type": "text-classification",
            "dataset_type": "text-classification",
            "dataset_name": f"{config.data.about.name or config.data.dev} dev split",
        }
        results = [
            EvalResult(**dataset, metric_type="f1", metric_name="macro-F1", metric_value=round(dev["macro_f1"], 4)),
            EvalResult(**dataset, metric_type="accuracy", metric_value=round(dev["accuracy"], 4)),
            EvalResult(
                **dataset,
                metric_type="ece",
                metric_name="expected calibration error",
                metric_value=round(dev["ece"], 4),
            ),
        ]
    return ModelCardData(
        license=config.data.about.license or "other",
        library_name="transformers",
        pipeline_tag="text-classification",
        base_model=config.model.base,
        datasets=[facts.hub_id or facts.name or source for source, facts in datasets(config)],
        language=["en"],
        tags=["framing", "media-bias", "text-classification"],
        model_name=config.name if dev else None,
        eval_results=results,
    )


def base_description(config: Config) -> str:
    """The base model, and the encoder layers kept where the checkpoint is a shallower student."""
    keep = config.model.keep_layers
    if not keep:
        return f"`{config.model.base}`"
    return (
        f"encoder layers {', '.join(map(str, keep))} of `{config.model.base}` (a {len(keep)}-layer model, "
        f"initialised from those layers)"
    )


def calibration_sentence(meta: dict[str, Any]) -> str:
    """How `framing` turns logits into probabilities, and where that calibration was fitted."""
    bias = meta.get("logit_bias") or []
    how = f"divides the logits by the calibration temperature in `framing.json` (T = {meta['temperature']:.3f})"
    if any(bias):
        how += " and adds a bias per label (" + ", ".join(f"`{n}` {b:+.3f}" for n, b in zip(meta["labels"], bias)) + ")"
    fit = meta.get("calibration")
    if not fit:
        return f"`framing` {how}, fitted on the dev split."
    by_column = fit.get("by_label_column") or {}
    if len(by_column) > 1:
        where = (
            "label columns "
            + " and ".join(f"`{c}` ({f['n']} rows)" for c, f in by_column.items())
            + ", fitted on all at once, so the probabilities are calibrated to their average"
        )
        figures = "; ".join(f"on `{c}`, {_refit_figures(f)}" for c, f in by_column.items())
    else:
        where, figures = f"{fit['n']} rows, label column `{fit['label_column']}`", _refit_figures(fit)
    words = fit.get("words")
    if words:  # the word threshold, refitted on the same rows through the same back end
        figures += (
            f". The word threshold was refitted there too, against the words marked in `{words['column']}` "
            f"on the {words['n']} rows of `{words['label_column']}`: "
            f"{words['before']['threshold']:.2f} -> {words['after']['threshold']:.2f}, word F1 "
            f"{words['before']['f1']:.4f} -> {words['after']['f1']:.4f}"
        )
    return (
        f"`framing` {how}, refitted by `framing calibrate` on `{fit['data']}` ({where}, back end "
        f"`{fit['runtime']}`): {figures}. The dev metrics below were measured at the end of training, before "
        f"that refit."
    )


def _refit_figures(fit: dict[str, Any]) -> str:
    """ECE and macro-F1 after the refit, with the calibration it replaced and, where recorded,
    uncalibrated (the fixed reference: a second refit on the same data replaces its own fit)."""

    def figures(key: str) -> str:
        uncalibrated = f", {fit['uncalibrated'][key]:.4f} uncalibrated" if fit.get("uncalibrated") else ""
        return f"{fit['before'][key]:.4f} with the calibration it replaced{uncalibrated}, {fit['after'][key]:.4f} after"

    return f"ECE {figures('ece')}; macro-F1 {figures('macro_f1')}"


def training_data_lines(config: Config, meta: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """The bullets of the card's "Training data" section."""
    picks_epoch = config.train.select == "best" and config.train.average_last == 1
    # The count is of every training row: with extra files, mixed sources or a teacher's pool
    # it is not the train file's size, so the card says so (it read as the file's size before).
    joined = bool(config.data.extra_train or config.mixed or config.distill or config.counterfactuals or config.hedges)
    count = f"{metrics.get('train_examples', '?')} passages"
    if joined:
        count += " in all, counting the extra files and the rows mixed in below"
    lines = [
        f"- train: `{config.data.train}` ({count}), "
        f"text column `{config.data.text_column}`, label column `{config.data.label_column}`",
        f"- dev: `{config.data.dev}`, used for "
        + ("picking the epoch, " if picks_epoch else "")
        + "the calibration (temperature and bias) and the word threshold",
        f"- the resolved training config is in `training_config.yaml`; training took {metrics.get('train_seconds')} s"
        + (" (the part after resuming)" if metrics.get("resumed") else "")
        + ".",
    ]
    lines += [
        f"- {d['split']} data `{d['source']}`: sha256 `{d['sha256']}`"
        if d.get("sha256")
        else f"- {d['split']} data `{d['source']}`: a hub dataset (its revision is tracked by the hub)"
        for d in metrics.get("data", [])
    ]
    lines.append(label_scheme(meta))
    return lines + added_rows_lines(config)


def added_rows_lines(config: Config) -> list[str]:
    """The bullets on rows beyond the train file: an intermediate stage, mixed sources, copies
    (counterfactuals, hedges), disagreements between sources and distillation."""
    lines = []
    if config.intermediate:
        stage = config.intermediate
        rows = f"a class-balanced sample of at most {stage.max_examples}" if stage.max_examples else "all"
        lines.append(
            f"- before that, an intermediate stage: {stage.epochs} epoch(s) on `{stage.data}` ({rows} rows; "
            f"labels {', '.join(f'`{k}` → `{v}`' for k, v in stage.labels.items())}), sentence head only"
        )
    for source in config.mixed:
        rows = f"a class-balanced sample of at most {source.max_examples}" if source.max_examples else "all"
        lines.append(
            f"- mixed into that stage: `{source.data}` ({rows} rows; labels "
            f"{', '.join(f'`{k}` → `{v}`' for k, v in source.labels.items())}), a row weighing "
            f"{source.weight:g} of a gold one; sentence head only"
        )
    if config.counterfactuals:
        lines.append(
            f"- group-term counterfactuals: each gold training sentence naming a group of "
            f"`{config.counterfactuals.terms}` again with another group of its set, same label, a copy "
            f"weighing {config.counterfactuals.weight:g} of a gold row"
        )
    if config.hedges:
        lines.append(
            f"- reporting-hedge copies: each gold training sentence again with one hedge inserted "
            f'("allegedly", "according to officials"), same label and marked words, a copy weighing '
            f"{config.hedges.weight:g} of a gold row"
        )
    if config.trains_techniques_jointly:
        lines.append(
            f"- trained jointly: the technique texts of `{config.techniques.train}`, rows that train the "
            f"technique head alone (its loss at {config.techniques.joint_weight:g}), so the shared encoder "
            f"learned the techniques too; the shipped technique head was then fitted on it, frozen"
        )
    if config.data.on_disagreement != "keep":
        lines.append(
            "- a sentence labelled differently by two sources: "
            + ("the first-listed source's label kept" if config.data.on_disagreement == "first" else "left out")
        )
    if config.distill:
        distill = config.distill
        rows = f"the first {distill.max_examples} rows" if distill.max_examples else "every row"
        teacher = f" by {distill.teacher}" if distill.teacher else ""
        lines.append(
            f"- distillation: {rows} of {len(distill.scores)} teacher score file(s){teacher}, averaged, "
            f"learned beside the gold labels (KL divergence at temperature {distill.temperature:g}, "
            f"a pool sentence weighing {distill.weight:g} of a labelled one; sentence head only)"
        )
    return lines


def label_scheme(meta: dict[str, Any]) -> str:
    if meta.get("multi_label"):
        thresholds = ", ".join(f"`{k}` {v:.2f}" for k, v in meta.get("thresholds", {}).items())
        return (
            "- label scheme: multi-label (an independent sigmoid per label); a label is predicted when its "
            f"probability reaches its threshold, tuned on dev for F1: {thresholds}"
        )
    dropped = meta.get("drop_labels")
    return f"- label scheme: single-label, {len(meta['labels'])} classes (softmax)" + (
        f"; rows labelled {', '.join(f'`{d}`' for d in dropped)} left out" if dropped else ""
    )


def dataset_about(source: str, facts: DatasetFacts) -> str:
    """What the config says about one dataset, in a paragraph (its citation goes below it)."""
    return " ".join(
        part
        for part in (
            f"{facts.name}:" if facts.name else f"`{source}`:",
            facts.domain and f"{facts.domain}.",
            facts.description,
        )
        if part
    )


def dev_metric_rows(
    meta: dict[str, Any], dev: dict[str, Any], metrics_by_column: dict[str, dict[str, Any]]
) -> list[str]:
    """The rows of the card's dev metrics table ([] without dev metrics: no table)."""
    if not dev:
        return []
    low, high = dev.get("macro_f1_ci95", [float("nan")] * 2)
    lines = [
        f"| macro-F1 | {dev['macro_f1']:.4f} (95% bootstrap CI {low:.3f}–{high:.3f}) |",
        f"| {'exact-match accuracy' if meta.get('multi_label') else 'accuracy'} | {dev['accuracy']:.4f} |",
        f"| ROC-AUC | {dev.get('roc_auc', float('nan')):.4f} |",
        f"| ECE (calibrated) | {dev['ece']:.4f} |",
        f"| ECE (before calibration) | {dev.get('ece_before_calibration', float('nan')):.4f} |",
    ]
    if "words" in dev:
        w = dev["words"]
        lines.append(
            f"| highlighted words: precision / recall / F1 | {w['precision']:.4f} / {w['recall']:.4f} / "
            f"{w['f1']:.4f} (threshold {w['threshold']:.2f}) |"
        )
    for column, m in metrics_by_column.items():
        lines.append(
            f"| macro-F1 / ROC-AUC / ECE against `{column}` ({m['n']} dev rows) | {m['macro_f1']:.4f} / "
            f"{m.get('roc_auc', float('nan')):.4f} / {m['ece']:.4f} |"
        )
    return lines


def licence_lines(config: Config) -> list[str]:
    """Each training source's licence (as the config states it) and what it means for users."""
    lines = []
    for source, facts in datasets(config):
        if facts.license or facts.license_terms:
            licence = f" ({facts.license})" if facts.license else ""
            lines.append(f"- {facts.name or f'`{source}`'}{licence}: {facts.license_terms or 'see its source.'}")
    return lines


def groups_lines(by_group: dict[str, dict]) -> list[str]:
    """Dev metrics within each group (`data.group_column`), for each label column."""
    lines: list[str] = []
    for label_column, report in by_group.items():
        table = group_table(report)
        table[1] = f"## Dev metrics by `{report['column']}` (labels `{label_column}`)"
        lines += table
    return lines
