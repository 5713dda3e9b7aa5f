"""Fine-tune a base encoder on a config's data and write a checkpoint folder.

Top to bottom: load data -> build the model -> optimise (multi-task losses, layer-wise lr
decay, length-grouped batches) -> pick or average epochs on dev -> fit the calibration
temperature (and bias) on dev -> round weights to the stored dtype -> measure dev -> save atomically.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

from framing import __version__
from framing.training.base_model import resolve_base_model
from framing.checkpoint import CheckpointMeta, save_checkpoint
from framing.output import ensure_writable
from framing.training.config import Config
from framing.training.counterfactuals import counterfactuals
from framing.training.hedges import hedge_copies
from framing.data import require_columns, texts_of
from framing.training.labels import UNLABELLED, fingerprint, load_table, targets_of, without_labels
from framing.errors import FramingError
from framing.model import FramingModel
from framing.predictor import FramingClassifier
from framing.training.calibration import fit_calibration, require_fittable
from framing.training.examples import (IGNORE, Examples, build_examples, disagreeing, join_examples, labelled_parts,
                                       mixed_parts, sentence_source, teacher_examples, word_truth)
from framing.training.metrics import best_thresholds, best_word_threshold, classification_metrics, group_metrics
from framing.training.model_card import render_model_card
from framing.training.resume import load_state, save_state, state_path

STORED_DTYPE = torch.float16  # halves the shipped size; predictions are measured after rounding


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def length_grouped_batches(lengths: list[int], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffle, sort within windows of 50 batches by length, then shuffle the batches:
    batches hold texts of similar length (less padding) yet vary from epoch to epoch."""
    order = torch.randperm(len(lengths), generator=generator).tolist()
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def collate(examples: Examples, indices: list[int], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(examples.input_ids[i]) for i in indices)
    input_ids = torch.full((len(indices), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(indices), width), dtype=torch.long)
    words = torch.full((len(indices), width), IGNORE, dtype=torch.long)
    for row, i in enumerate(indices):
        ids = examples.input_ids[i]
        input_ids[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1
        if examples.word_targets is not None:
            words[row, : len(ids)] = torch.tensor(examples.word_targets[i])
    batch = {"input_ids": input_ids, "attention_mask": mask, "labels": torch.as_tensor(examples.labels[indices]),
             "word_targets": words}
    if examples.soft is not None:
        batch["soft"] = torch.as_tensor(examples.soft[indices], dtype=torch.float32)
    if examples.aux_labels is not None:
        batch["aux_labels"] = torch.as_tensor(examples.aux_labels[indices])
    if examples.weight is not None:
        batch["weight"] = torch.as_tensor(examples.weight[indices], dtype=torch.float32)  # [B]
    if examples.teacher is not None:
        batch["teacher"] = torch.as_tensor(examples.teacher[indices], dtype=torch.float32)  # [B, C], NaN: gold rows
    return batch


def multitask_loss(model: FramingModel, batch: dict, config: Config, votes_for: Optional[int],
                   class_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
    out = model(batch["input_ids"], batch["attention_mask"])
    if batch["labels"].ndim == 2:  # multi-label: an independent sigmoid per label, [B, C] targets
        loss = F.binary_cross_entropy_with_logits(out.logits, batch["labels"].float(), pos_weight=class_weight)
    else:
        loss = _sentence_loss(out.logits, batch, config, votes_for, class_weight)
    return loss + _auxiliary_losses(out, batch, config)


def _sentence_loss(logits: torch.Tensor, batch: dict, config: Config, votes_for: Optional[int],
                   class_weight: Optional[torch.Tensor]) -> torch.Tensor:
    num_labels = logits.shape[-1]
    target = F.one_hot(batch["labels"], num_labels).float()  # [B, C]
    if "soft" in batch and config.train.soft_label_weight > 0:
        soft = torch.stack([1 - batch["soft"], batch["soft"]], dim=-1)  # [B, 2] as (other, votes_for)
        if votes_for == 0:
            soft = soft.flip(-1)
        target = (1 - config.train.soft_label_weight) * target + config.train.soft_label_weight * soft
    per_example = torch.sum(-target * F.log_softmax(logits, dim=-1), dim=-1)  # [B]
    weights = class_weight[batch["labels"]] if class_weight is not None else torch.ones_like(per_example)  # [B]
    if "weight" in batch:  # a mixed source's rows count at its weight
        weights = weights * batch["weight"]
    if "teacher" in batch:  # pool rows learn the teacher's distribution instead of a gold label
        pooled = ~torch.isnan(batch["teacher"][:, 0])  # [B]
        per_example = torch.where(pooled, _distill_loss(logits, batch["teacher"], config.distill.temperature),
                                  per_example)
        weights = torch.where(pooled, torch.full_like(weights, config.distill.weight), weights)
    return (per_example * weights).sum() / weights.sum()


def _distill_loss(logits: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Per-row KL(teacher_T || student_T) * T**2, [B]; NaN teacher rows give 0 (masked by the caller).
    The teacher's probabilities are calibrated, so their logs serve as its logits."""
    teacher = torch.nan_to_num(teacher, nan=0.5).clamp_min(1e-6)
    target = F.softmax(torch.log(teacher) / temperature, dim=-1)  # [B, C]
    log_student = F.log_softmax(logits / temperature, dim=-1)
    return torch.sum(target * (torch.log(target) - log_student), dim=-1) * temperature**2


def _auxiliary_losses(out, batch: dict, config: Config) -> torch.Tensor:
    """The word head's per-token loss and the auxiliary label head's loss, as configured."""
    loss = out.logits.new_zeros(())
    if config.train.word_loss_weight > 0:
        valid = batch["word_targets"] != IGNORE  # [B, T]
        if valid.any():
            word_loss = F.binary_cross_entropy_with_logits(
                out.word_logits[valid], batch["word_targets"][valid].float()
            )
            loss = loss + config.train.word_loss_weight * word_loss
    if out.aux_logits is not None and config.train.aux_loss_weight > 0 and "aux_labels" in batch:
        if (batch["aux_labels"] != IGNORE).any():
            loss = loss + config.train.aux_loss_weight * F.cross_entropy(
                out.aux_logits, batch["aux_labels"], ignore_index=IGNORE
            )
    return loss


def balanced_weights(labels: np.ndarray, num_labels: int) -> torch.Tensor:
    """n / (classes * count) per class, as scikit-learn's class_weight="balanced"; for
    multi-label targets [N, C], each label's negatives / positives (BCE's pos_weight)."""
    if labels.ndim == 2:
        positives = labels.sum(axis=0).astype(float)
        return torch.tensor((len(labels) - positives) / np.maximum(positives, 1), dtype=torch.float32)
    counts = np.bincount(labels, minlength=num_labels).astype(float)
    return torch.tensor(len(labels) / (num_labels * np.maximum(counts, 1)), dtype=torch.float32)


def layer_of(name: str, num_layers: int) -> int:
    """0 for embeddings, i+1 for encoder layer i, num_layers+1 for pooler and heads."""
    if "embeddings" in name:
        return 0
    found = re.search(r"layers?\.(\d+)\.", name)
    return int(found.group(1)) + 1 if found else num_layers + 1


def make_optimizer(model: FramingModel, config: Config, lr: float) -> torch.optim.Optimizer:
    train = config.train
    num_layers = model.config.num_hidden_layers
    groups: dict[tuple[int, bool], list] = {}
    for name, param in model.named_parameters():
        depth = layer_of(name, num_layers)
        no_decay = param.ndim == 1  # biases and LayerNorm weights
        groups.setdefault((depth, no_decay), []).append(param)
    param_groups = []
    for (depth, no_decay), params in sorted(groups.items()):
        group_lr = lr * train.layer_decay ** (num_layers + 1 - depth)
        if depth == num_layers + 1:
            group_lr = lr * train.head_lr_multiplier
        param_groups.append({"params": params, "lr": group_lr, "weight_decay": 0.0 if no_decay else train.weight_decay})
    return torch.optim.AdamW(param_groups)


def build_model(config: Config, base_path: str) -> FramingModel:
    names = config.data.label_names
    classifier = AutoModelForSequenceClassification.from_pretrained(
        base_path,
        num_labels=len(names),
        id2label=dict(enumerate(names)),
        label2id={n: i for i, n in enumerate(names)},
        hidden_dropout_prob=config.model.dropout,
        dtype=torch.float32,
        use_safetensors=True,
        ignore_mismatched_sizes=True,  # a base that is itself a classifier gets a fresh head of our size
        # tells plain transformers users (and pipelines) to apply a sigmoid, not a softmax
        problem_type="multi_label_classification" if config.data.multi_label else "single_label_classification",
    )
    if config.model.keep_layers:
        keep_encoder_layers(classifier, config.model.keep_layers)
    return FramingModel(classifier, aux_num_labels=len(config.data.aux_label_names), dropout=config.model.dropout)


def keep_encoder_layers(classifier, keep: list[int]) -> None:
    """Cut the encoder down to the layers `keep` (in order), so the model saves and exports
    as a plain model of that depth; embeddings, pooler and head are the base's."""
    encoder = classifier.base_model.encoder
    layers = encoder.layer
    if keep[-1] >= len(layers):
        raise FramingError(f"model.keep_layers {keep}: the base model has {len(layers)} encoder layers (0 to "
                           f"{len(layers) - 1})")
    encoder.layer = torch.nn.ModuleList([layers[i] for i in keep])
    classifier.config.num_hidden_layers = len(keep)


def split_strata(labels: np.ndarray) -> Optional[np.ndarray]:
    """What a held-out dev share is stratified by: the label; multi-label ([N, C] 0/1), each
    row's rarest label (C for none), so that rare labels reach the dev share too and it can
    calibrate them. None (a plain random split) where a stratum has a single row."""
    if labels.ndim == 2:
        rarity = labels.sum(axis=0).astype(float)  # [C] positives per label
        ranked = np.where(labels > 0, rarity, np.inf)  # [N, C]
        labels = np.where(labels.any(axis=1), ranked.argmin(axis=1), labels.shape[1])  # [N]
    return labels if np.unique(labels, return_counts=True)[1].min() >= 2 else None


def load_examples(config: Config, tokenizer) -> tuple[Examples, Examples]:
    data_config = config.data
    parts, _ = labelled_parts(data_config, tokenizer, config.model.max_length)
    gold = len(parts)
    parts += [examples for examples, _ in mixed_parts(config, tokenizer)]
    parts = [part.subset(np.flatnonzero(keep)) for part, keep in zip(parts, disagreeing(parts, data_config.on_disagreement))]
    if config.counterfactuals:
        parts.append(counterfactuals(join_examples(parts[:gold], data_config), config.counterfactuals, tokenizer,
                                     config.model.max_length))
    if config.hedges:
        parts.append(hedge_copies(join_examples(parts[:gold], data_config), config.hedges, tokenizer,
                                  config.model.max_length))
    if config.distill:
        parts.append(teacher_examples(config.distill, data_config.label_names, tokenizer, config.model.max_length))
    train = join_examples(parts, data_config)
    if data_config.dev:
        return train, build_examples(load_table(data_config.dev, "validation"), data_config.dev, data_config, tokenizer,
                                     config.model.max_length)
    # No dev split: hold out a stratified share of train with a fixed seed.
    train_idx, dev_idx = train_test_split(np.arange(len(train)), test_size=data_config.dev_fraction,
                                          random_state=config.train.seed, stratify=split_strata(train.labels))
    return train.subset(sorted(train_idx)), train.subset(sorted(dev_idx))


def load_intermediate(config: Config, tokenizer) -> Optional[Examples]:
    """The intermediate stage's examples: sentence labels only, optionally a class-balanced sample."""
    source = intermediate_source(config, tokenizer)
    return None if source is None else source[0]


def intermediate_source(config: Config, tokenizer) -> Optional[tuple[Examples, pd.DataFrame]]:
    """The intermediate stage's examples and its kept rows (None without a stage)."""
    stage = config.intermediate
    if stage is None:
        return None
    examples, frame = sentence_source(stage.data, stage.text_column, stage.label_column, stage.labels,
                                      stage.max_examples, config.data, tokenizer, config.model.max_length,
                                      config.train.seed)
    if stage.group_column:
        require_columns(frame, [stage.group_column], stage.data)
    return examples, frame


def training_device(name: str) -> torch.device:
    """The device `train.device` names; "auto" is a CUDA GPU when torch sees one, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise FramingError(f"train.device: {name!r}, but torch {torch.__version__} sees "
                           f"{torch.cuda.device_count() or 'no'} CUDA GPU(s); use auto, cpu or another index")
    return device


def gpu_rng_state() -> dict[str, torch.Tensor]:
    """The current CUDA device's generator (dropout on a GPU), for the saved state; {} without one."""
    return {"cuda_rng": torch.cuda.get_rng_state()} if torch.cuda.is_available() else {}


def average_states(states: list[dict[str, torch.Tensor]], shares: Optional[list[float]] = None) -> dict[str, torch.Tensor]:
    """The mean of state dicts key by key in fp32 (weighted by `shares` if given); tensors that
    are not floating point come from the last state."""
    def mean(k: str) -> torch.Tensor:
        if shares is None:
            return sum(s[k].float() for s in states) / len(states)
        return sum(share * s[k].float() for share, s in zip(shares, states))
    return {k: mean(k) if states[0][k].is_floating_point() else states[-1][k] for k in states[0]}


def run_stage(model: FramingModel, config: Config, examples: Examples, epochs: int, lr: float,
              generator: torch.Generator, tokenizer, progress: bool, name: str, save: Callable[..., None],
              resume: Optional[dict] = None) -> Iterator[dict]:
    """Optimise `model` on `examples` for `epochs` (fresh optimizer, warmup and linear decay);
    yields a log entry after each epoch, with the model back on the CPU in train mode (the
    optimiser runs on `train.device`).

    `save(**position)` is offered the stage's state every `train.save_state_every` steps and
    after each epoch; `resume` (a saved state inside this stage) continues from its position:
    the data order of the interrupted epoch is drawn again from its saved generator state and
    the steps already taken are skipped.
    """
    device = training_device(config.train.device)
    model.to(device)  # parameters move in place: the optimizer built next holds the moved ones
    optimizer = make_optimizer(model, config, lr)
    total = math.ceil(len(examples) / config.train.batch_size) * epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.train.warmup_ratio * total), total)
    votes_for = config.data.label_names.index(config.data.votes_for) if config.data.votes_for else None
    class_weight = (balanced_weights(examples.labels, len(config.data.label_names)).to(device)
                    if config.train.class_weights else None)
    lengths = [len(ids) for ids in examples.input_ids]
    first_epoch, skip = 1, 0
    if resume is not None:
        optimizer.load_state_dict(resume["optimizer"])
        scheduler.load_state_dict(resume["scheduler"])
        first_epoch, skip = resume["epoch"], resume["step"]
    for epoch in range(first_epoch, epochs + 1):
        model.to(device).train()
        epoch_generator = generator.get_state()  # redraws this epoch's order on resume
        batches = length_grouped_batches(lengths, config.train.batch_size, generator)
        done = skip if epoch == first_epoch else 0
        running = resume["running_loss"] if done else 0.0
        seconds_before = resume["epoch_seconds"] if done else 0.0
        started = time.perf_counter()
        bar = tqdm(total=len(batches), initial=done, desc=f"{name} epoch {epoch}/{epochs}", disable=not progress,
                   leave=False)
        for step in range(done + 1, len(batches) + 1):
            batch = {key: value.to(device) for key, value in
                     collate(examples, batches[step - 1], tokenizer.pad_token_id).items()}
            loss = multitask_loss(model, batch, config, votes_for, class_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.train.max_grad_norm)
            optimizer.step()
            scheduler.step()
            running += loss.item()
            bar.update()
            bar.set_postfix(loss=f"{running / step:.4f}")
            if step < len(batches) and config.train.save_state_every and step % config.train.save_state_every == 0:
                save(stage=name, epoch=epoch, step=step, epoch_generator=epoch_generator,
                     optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(), running_loss=running,
                     epoch_seconds=seconds_before + time.perf_counter() - started)
        bar.close()
        seconds = seconds_before + time.perf_counter() - started
        model.to("cpu")  # the caller scores dev through the CPU predictor and keeps CPU weights
        yield {"stage": name, "epoch": epoch, "train_loss": running / len(batches), "seconds": round(seconds, 1),
               "examples_per_second": round(len(examples) / seconds, 1)}
        # The caller has logged the epoch (and measured dev): save the position after it.
        save(stage=name, epoch=epoch + 1, step=0, epoch_generator=generator.get_state(),
             optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(), running_loss=0.0, epoch_seconds=0.0)


@dataclass
class EpochRecord:
    """What training keeps across epochs (and in the saved state): the per-epoch log, the last
    `average_last` epochs' weights, and the best epoch's dev macro-F1 and weights."""

    log: list[dict] = field(default_factory=list)
    recent: list[dict] = field(default_factory=list)
    best_f1: float = -1.0
    best: Optional[dict] = None

    def add(self, entry: dict, model: FramingModel, config: Config) -> None:
        """Log a main-stage epoch and keep its weights for averaging or selection."""
        averaging = config.train.average_last > 1
        better = config.train.select == "best" and entry.get("dev_macro_f1", -1.0) > self.best_f1
        if not (averaging or better):
            return  # nothing keeps this epoch's weights: no copy
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if averaging:
            self.recent = (self.recent + [state])[-config.train.average_last :]
        if better:
            self.best_f1, self.best = entry["dev_macro_f1"], state

    def final_weights(self, config: Config) -> Optional[dict]:
        """The averaged or best weights to end with (None: keep the last epoch's)."""
        if config.train.average_last > 1 and self.recent:
            return average_states(self.recent)
        return self.best if config.train.select == "best" else None


def fit(config: Config, train: Optional[Examples], dev: Optional[Examples], base_path: str, tokenizer,
        progress: bool = True, intermediate: Optional[Examples] = None,
        state_file: Optional[Path] = None, resume_from: Optional[dict] = None,
        on_epoch: Optional[Callable[[dict], None]] = None) -> tuple[FramingModel, list[dict]]:
    """Optimise a fresh model (first on `intermediate` data, if given, then on `train`); returns
    it with the chosen (or averaged) weights and a per-epoch log.

    With `state_file`, the training state is saved there as it goes (see training/resume.py);
    with `resume_from` (a state read by `load_state`), training continues from it. With `train=None`,
    only the intermediate stage runs (cross-validation runs it once for all folds). `progress`
    shows bars; `on_epoch` receives each epoch's log entry as it is made.
    """
    seed_everything(config.train.seed)
    model = build_model(config, base_path)
    generator = torch.Generator().manual_seed(config.train.seed)
    record = restore(model, generator, resume_from) if resume_from is not None else EpochRecord()

    def save(**position) -> None:
        if state_file is not None:
            save_state(state_file, {"config": config.to_yaml(), "model": model.state_dict(),
                                    "log": json.dumps(record.log), "recent": record.recent,
                                    "best_f1": record.best_f1, "best": record.best,
                                    "torch_rng": torch.get_rng_state(), **gpu_rng_state(), **position})

    for name, examples, epochs, lr, here in stages_to_run(config, train, intermediate, resume_from):
        for entry in run_stage(model, config, examples, epochs, lr, generator, tokenizer, progress, name, save, here):
            if name == "main":
                if dev is not None:
                    entry["dev_macro_f1"] = dev_macro_f1(model, tokenizer, config, dev)
                record.add(entry, model, config)
            record.log.append(entry)
            if on_epoch is not None:
                on_epoch(entry)
    final = record.final_weights(config)
    if final is not None:
        model.load_state_dict(final)
    model.eval()
    return model, record.log


def restore(model: FramingModel, generator: torch.Generator, saved: dict) -> EpochRecord:
    """Put a saved training state back: weights, data-order and dropout generators, the record."""
    model.load_state_dict(saved["model"])
    generator.set_state(saved["epoch_generator"])
    torch.set_rng_state(saved["torch_rng"])  # dropout masks continue where they stopped
    if "cuda_rng" in saved and torch.cuda.is_available():
        torch.cuda.set_rng_state(saved["cuda_rng"])  # the same on a GPU (kernels aside)
    return EpochRecord(json.loads(saved["log"]), saved["recent"], saved["best_f1"], saved["best"])


def stages_to_run(config: Config, train: Optional[Examples], intermediate: Optional[Examples],
                  saved: Optional[dict]) -> Iterator[tuple[str, Examples, int, float, Optional[dict]]]:
    """(name, examples, epochs, lr, saved state to continue from) of each stage still to run:
    the intermediate stage (if any), then the main one; stages a resumed run had finished are
    skipped, and the one it stopped in continues from `saved`."""
    stages = [("main", train, config.train.epochs, config.train.lr)] if train is not None else []
    if intermediate is not None:
        stages.insert(0, ("intermediate", intermediate, config.intermediate.epochs,
                          config.intermediate.lr or config.train.lr))
    names = [stage[0] for stage in stages]
    for index, (name, examples, epochs, lr) in enumerate(stages):
        here = None
        if saved is not None and index <= names.index(saved["stage"]):
            if index < names.index(saved["stage"]) or saved["epoch"] > epochs:
                continue  # finished before the interruption
            here = saved
        yield name, examples, epochs, lr, here


def dev_macro_f1(model: FramingModel, tokenizer, config: Config, dev: Examples) -> float:
    """Dev macro-F1 of the model as it is now (uncalibrated), through the predictor."""
    model.eval()
    meta = CheckpointMeta(labels=config.data.label_names, max_length=config.model.max_length,
                          multi_label=config.data.multi_label)
    proba = FramingClassifier.from_model(model, tokenizer, meta).predict_proba(dev.texts)
    return classification_metrics(dev.labels, proba, config.data.label_names, 0)["macro_f1"]


def round_to_stored_dtype(model: FramingModel) -> None:
    """Make the in-memory weights equal to what the checkpoint will hold."""
    with torch.no_grad():
        for param in model.state_dict().values():
            if param.is_floating_point():
                param.copy_(param.to(STORED_DTYPE).float())


def disk_needed_for_training(base_path: str) -> int:
    """Bytes for the training state (fp32 weights and two Adam moments, about 3x the fp32
    weights) plus the fp16 checkpoint (0.5x); 0 where the base weights are not a local file."""
    weights = Path(base_path) / "model.safetensors"
    return int(3.5 * weights.stat().st_size) if weights.is_file() else 0


def fit_to_dev(classifier: FramingClassifier, dev: Examples, bias: bool = True) -> dict:
    """From one pass over dev: fit the calibration (temperature and, with `bias`, a bias per
    label; multi-label, each label's threshold too) and, where dev has marked words, the word
    threshold, storing them in the classifier's meta; returns dev metrics measured through the
    calibrated classifier."""
    labels, meta = classifier.labels, classifier.meta
    logits, words = classifier.forward(dev.texts, with_words=dev.marked is not None)
    before = classification_metrics(dev.labels, classifier._calibrate(logits), labels, 0)["ece"]  # T = 1
    fitted = fit_calibration(logits, dev.labels, bias)
    meta.temperature, meta.logit_bias = fitted.temperature, fitted.bias
    proba = classifier._calibrate(logits)
    if classifier.multi_label:
        meta.thresholds = dict(zip(labels, best_thresholds(dev.labels, proba).tolist()))
    metrics = classification_metrics(dev.labels, proba, labels, thresholds=classifier.thresholds)
    metrics["ece_before_calibration"] = before
    fit = best_word_threshold(*word_truth(dev.texts, dev.marked, words)) if words is not None else None
    if fit is not None:  # None: dev marks no word, so the threshold stays as it is
        metrics["words"] = fit
        meta.word_threshold = fit["threshold"]
    return metrics


def dev_reports(classifier: FramingClassifier, config: Config) -> dict[str, dict]:
    """Calibrated dev metrics against each of `data.report_label_columns` (and the training label
    column, for one table), each on the dev rows that column labels: `dev_by_label_column`; with
    `data.group_column`, the same within each group (e.g. outlet leaning): `dev_by_group`."""
    data_config = config.data
    if not data_config.dev:
        raise FramingError("data.report_label_columns and data.group_column need a data.dev file to measure on")
    table = load_table(data_config.dev, "validation")
    if data_config.group_column:
        require_columns(table, [data_config.group_column], data_config.dev)
    columns = [data_config.label_column, *data_config.report_label_columns]
    frames = {column: without_labels(table, column, [UNLABELLED, *data_config.drop_labels], data_config.dev)
              for column in columns}
    scored = table.loc[table.index.isin(pd.concat(list(frames.values())).index)]  # one pass: rows any column labels
    proba = classifier.predict_proba(texts_of(scored, data_config.text_column, data_config.dev))
    reports: dict[str, dict] = {"dev_by_label_column": {}}
    for column, frame in frames.items():
        gold = targets_of(frame, column, data_config.labels, data_config.label_names, data_config.dev)
        rows = proba[scored.index.get_indexer(frame.index)]
        if data_config.report_label_columns:
            reports["dev_by_label_column"][column] = classification_metrics(gold, rows, classifier.labels)
        if data_config.group_column:
            reports.setdefault("dev_by_group", {})[column] = {
                "column": data_config.group_column,
                **group_metrics(gold, rows, frame[data_config.group_column].tolist(), classifier.labels,
                                classifier.flag_label)}
    return {name: report for name, report in reports.items() if report}


def data_provenance(config: Config) -> list[dict]:
    """Where each split came from, with a sha256 of local files, for the model card."""
    sources = [("train", config.data.train), *[("extra train", extra) for extra in config.data.extra_train],
               *[("mixed", source.data) for source in config.mixed], ("dev", config.data.dev)]
    if config.counterfactuals:
        sources.append(("counterfactual terms", config.counterfactuals.terms))
    if config.distill:
        sources += [("distillation scores", scores) for scores in config.distill.scores]
    if config.intermediate:
        sources.insert(0, ("intermediate", config.intermediate.data))
    return [{"split": split, "source": source, "sha256": fingerprint(source)} for split, source in sources if source]


def train(config: Config, output: str | Path, overwrite: bool = False, progress: bool = True,
          resume: bool = False, on_epoch: Optional[Callable[[dict], None]] = None) -> Path:
    """Train per `config` and write the checkpoint folder `output`; returns its path.

    The training state is saved beside `output` as training goes; `resume` continues an
    interrupted run from it. It is deleted once the checkpoint is written.
    """
    output = Path(output)
    started = time.perf_counter()
    base_path = resolve_base_model(config.model.base)
    ensure_writable(output, overwrite, disk_needed_for_training(base_path), kind="checkpoint")  # fail before the work
    state_file = state_path(output)
    if state_file.exists() and not (resume or overwrite):
        raise FramingError(f"{state_file}: an interrupted run left its training state here; pass --resume to "
                           f"continue it or --overwrite to start over")
    saved = load_state(state_file, config) if resume else None  # a missing or mismatched state fails now
    if config.train.threads:
        torch.set_num_threads(config.train.threads)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    train_examples, dev = load_examples(config, tokenizer)
    # dev fits the calibration and picks epochs: refused before any training if it cannot
    require_fittable(dev.labels, config.data.label_names, f"{config.data.dev or config.data.train} (dev split)")
    model, log = fit(config, train_examples, dev, base_path, tokenizer, progress, load_intermediate(config, tokenizer),
                     state_file, saved, on_epoch=on_epoch)
    round_to_stored_dtype(model)
    meta = CheckpointMeta(framing_version=__version__, labels=config.data.label_names,
                          label_mapping=config.data.labels, drop_labels=config.data.drop_labels,
                          aux_labels=config.data.aux_label_names, max_length=config.model.max_length,
                          multi_label=config.data.multi_label, label_separator=config.data.label_separator,
                          word_head=bool(config.data.words_column) and config.train.word_loss_weight > 0)
    classifier = FramingClassifier.from_model(model, tokenizer, meta)
    metrics: dict = {"epochs": log, "train_examples": len(train_examples), "dev_examples": len(dev),
                     "data": data_provenance(config), "dev": fit_to_dev(classifier, dev, config.train.calibration_bias)}
    if config.data.report_label_columns or config.data.group_column:
        metrics.update(dev_reports(classifier, config))
    metrics["train_seconds"] = round(time.perf_counter() - started, 1)  # of this process, if resumed
    metrics["resumed"] = resume
    files = {
        "training_config.yaml": config.to_yaml(),
        "metrics.json": json.dumps(metrics, indent=2) + "\n",
        "README.md": render_model_card(config, meta.model_dump(), metrics),
    }
    path = save_checkpoint(output, model, tokenizer, meta, files, overwrite=overwrite, dtype=STORED_DTYPE)
    state_file.unlink(missing_ok=True)
    return path
