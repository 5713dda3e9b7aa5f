"""Fine-tune a base encoder on a config's data and write a checkpoint folder.

Top to bottom: load data -> build the model -> optimise (multi-task losses, layer-wise lr
decay, length-grouped batches) -> pick or average epochs on dev -> fit the calibration
temperature (and bias) on dev -> round weights to the stored dtype -> measure dev -> save atomically.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import torch
from tqdm.auto import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup, set_seed

from framing import __version__
from framing.checkpoint import CheckpointMeta, save_checkpoint
from framing.errors import FramingError
from framing.model import FramingModel
from framing.output import ensure_writable
from framing.predictor import FramingClassifier
from framing.training.base_model import resolve_base_model
from framing.training.batching import collate, epoch_rows, gpu_rng_state, length_grouped_batches, training_device
from framing.training.calibration import require_fittable
from framing.training.config import Config
from framing.training.dev_fit import dev_reports, fit_to_dev
from framing.training.examples import Examples
from framing.training.losses import balanced_weights, multitask_loss
from framing.training.metrics import classification_metrics
from framing.training.model_card import render_model_card
from framing.training.model_setup import build_model, make_optimizer
from framing.training.resume import load_state, restore_weights, save_state, state_path
from framing.training.training_data import data_provenance, load_examples, load_intermediate

STORED_DTYPE = torch.float16  # halves the shipped size; predictions are measured after rounding


def average_states(
    states: list[dict[str, torch.Tensor]], shares: Optional[list[float]] = None
) -> dict[str, torch.Tensor]:
    """The mean of state dicts key by key in fp32 (weighted by `shares` if given); tensors that
    are not floating point come from the last state."""

    def mean(k: str) -> torch.Tensor:
        if shares is None:
            return sum(s[k].float() for s in states) / len(states)
        return sum(share * s[k].float() for share, s in zip(shares, states))

    return {k: mean(k) if states[0][k].is_floating_point() else states[-1][k] for k in states[0]}


def _stage_optimiser(model: FramingModel, config: Config, rows: list, lr: float, resume):
    """A stage's device, optimiser and schedule (warmup, then linear decay over the epochs'
    `rows`), restored from `resume`."""
    device = training_device(config.train.device)
    model.to(device)  # parameters move in place: the optimizer built next holds the moved ones
    optimizer = make_optimizer(model, config, lr)
    total = sum(math.ceil(len(these) / config.train.batch_size) for these in rows)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.train.warmup_ratio * total), total)
    if resume is not None:
        optimizer.load_state_dict(resume["optimizer"])
        scheduler.load_state_dict(resume["scheduler"])
    return device, optimizer, scheduler


def _optimiser_step(model: FramingModel, batch: dict, config: Config, optimizer, scheduler, votes_for, class_weight):
    """One step on a padded batch: the multitask loss, gradients clipped; returns the loss."""
    loss = multitask_loss(model, batch, config, votes_for, class_weight)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.train.max_grad_norm)
    optimizer.step()
    scheduler.step()
    return loss.item()


def _position(stage, epoch, step, epoch_generator, optimizer, scheduler, running_loss, epoch_seconds) -> dict:
    """Where a stage stands, as the saved training state records it (`resume` reads it back)."""
    return {
        "stage": stage,
        "epoch": epoch,
        "step": step,
        "epoch_generator": epoch_generator,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "running_loss": running_loss,
        "epoch_seconds": epoch_seconds,
    }


def run_stage(
    model: FramingModel,
    config: Config,
    examples: Examples,
    epochs: int,
    lr: float,
    generator: torch.Generator,
    tokenizer,
    progress: bool,
    name: str,
    save: Callable[..., None],
    resume: Optional[dict] = None,
) -> Iterator[dict]:
    """Optimise `model` on `examples` for `epochs` (fresh optimizer, warmup and linear decay);
    yields a log entry after each epoch, with the model back on the CPU in train mode (the
    optimiser runs on `train.device`).

    `save(**position)` is offered the stage's state every `train.save_state_every` steps and
    after each epoch; `resume` (a saved state inside this stage) continues from its position:
    the data order of the interrupted epoch is drawn again from its saved generator state and
    the steps already taken are skipped.
    """
    spread = name == "main" and config.distill is not None and config.distill.spread_over_epochs
    rows = epoch_rows(examples, epochs, spread)
    device, optimizer, scheduler = _stage_optimiser(model, config, rows, lr, resume)
    votes_for = config.data.label_names.index(config.data.votes_for) if config.data.votes_for else None
    labels = len(config.data.label_names)
    sentence_labels = examples.labels[examples.sentence_rows()]  # not joint training's placeholder labels
    class_weight = balanced_weights(sentence_labels, labels).to(device) if config.train.class_weights else None
    lengths = [len(ids) for ids in examples.input_ids]
    first_epoch, skip = (resume["epoch"], resume["step"]) if resume is not None else (1, 0)
    for epoch in range(first_epoch, epochs + 1):
        model.to(device).train()
        epoch_generator = generator.get_state()  # redraws this epoch's order on resume
        these = rows[epoch - 1]
        grouped = length_grouped_batches([lengths[i] for i in these], config.train.batch_size, generator)
        batches = [these[batch].tolist() for batch in grouped]  # positions in `these` -> example rows
        done = skip if epoch == first_epoch else 0
        running = resume["running_loss"] if done else 0.0
        seconds_before = resume["epoch_seconds"] if done else 0.0
        started = time.perf_counter()
        bar = tqdm(
            total=len(batches), initial=done, desc=f"{name} epoch {epoch}/{epochs}", disable=not progress, leave=False
        )
        for step in range(done + 1, len(batches) + 1):
            padded = collate(examples, batches[step - 1], tokenizer.pad_token_id)
            batch = {key: value.to(device) for key, value in padded.items()}
            running += _optimiser_step(model, batch, config, optimizer, scheduler, votes_for, class_weight)
            bar.update()
            bar.set_postfix(loss=f"{running / step:.4f}")
            if step < len(batches) and config.train.save_state_every and step % config.train.save_state_every == 0:
                seconds = seconds_before + time.perf_counter() - started
                save(**_position(name, epoch, step, epoch_generator, optimizer, scheduler, running, seconds))
        bar.close()
        seconds = seconds_before + time.perf_counter() - started
        model.to("cpu")  # the caller scores dev through the CPU predictor and keeps CPU weights
        yield {
            "stage": name,
            "epoch": epoch,
            "train_loss": running / len(batches),
            "seconds": round(seconds, 1),
            "examples": len(these),
            "examples_per_second": round(len(these) / seconds, 1),
        }
        # The caller has logged the epoch (and measured dev): save the position after it.
        save(**_position(name, epoch + 1, 0, generator.get_state(), optimizer, scheduler, 0.0, 0.0))


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


def fit(
    config: Config,
    train: Optional[Examples],
    dev: Optional[Examples],
    base_path: str,
    tokenizer,
    progress: bool = True,
    intermediate: Optional[Examples] = None,
    state_file: Optional[Path] = None,
    resume_from: Optional[dict] = None,
    on_epoch: Optional[Callable[[dict], None]] = None,
) -> tuple[FramingModel, list[dict]]:
    """Optimise a fresh model (first on `intermediate` data, if given, then on `train`); returns
    it with the chosen (or averaged) weights and a per-epoch log.

    With `state_file`, the training state is saved there as it goes (see training/resume.py);
    with `resume_from` (a state read by `load_state`), training continues from it. With `train=None`,
    only the intermediate stage runs (cross-validation runs it once for all folds). `progress`
    shows bars; `on_epoch` receives each epoch's log entry as it is made.
    """
    set_seed(config.train.seed)  # python, numpy, torch and every GPU: head initialisation, dropout
    joint = 0 if train is None or train.techniques is None else train.techniques.shape[1]  # K jointly trained
    model = build_model(config, base_path, joint)
    generator = torch.Generator().manual_seed(config.train.seed)
    record = restore(model, generator, resume_from) if resume_from is not None else EpochRecord()

    def save(**position) -> None:
        if state_file is not None:
            save_state(
                state_file,
                {
                    "config": config.to_yaml(),
                    "model": model.state_dict(),
                    "log": json.dumps(record.log),
                    "recent": record.recent,
                    "best_f1": record.best_f1,
                    "best": record.best,
                    "torch_rng": torch.get_rng_state(),
                    **gpu_rng_state(),
                    **position,
                },
            )

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
    restore_weights(model, saved)
    generator.set_state(saved["epoch_generator"])
    torch.set_rng_state(saved["torch_rng"])  # dropout masks continue where they stopped
    if "cuda_rng" in saved and torch.cuda.is_available():
        torch.cuda.set_rng_state(saved["cuda_rng"])  # the same on a GPU (kernels aside)
    return EpochRecord(json.loads(saved["log"]), saved["recent"], saved["best_f1"], saved["best"])


def stages_to_run(
    config: Config, train: Optional[Examples], intermediate: Optional[Examples], saved: Optional[dict]
) -> Iterator[tuple[str, Examples, int, float, Optional[dict]]]:
    """(name, examples, epochs, lr, saved state to continue from) of each stage still to run:
    the intermediate stage (if any), then the main one; stages a resumed run had finished are
    skipped, and the one it stopped in continues from `saved`."""
    stages = [("main", train, config.train.epochs, config.train.lr)] if train is not None else []
    if intermediate is not None:
        stages.insert(
            0, ("intermediate", intermediate, config.intermediate.epochs, config.intermediate.lr or config.train.lr)
        )
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
    meta = CheckpointMeta(
        labels=config.data.label_names, max_length=config.model.max_length, multi_label=config.data.multi_label
    )
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


def checkpoint_meta(config: Config) -> CheckpointMeta:
    """What framing.json says of a model `config` trains, before calibration."""
    return CheckpointMeta(
        framing_version=__version__,
        labels=config.data.label_names,
        label_mapping=config.data.labels,
        drop_labels=config.data.drop_labels,
        aux_labels=config.data.aux_label_names,
        max_length=config.model.max_length,
        multi_label=config.data.multi_label,
        label_separator=config.data.label_separator,
        word_head=bool(config.data.words_column) and config.train.word_loss_weight > 0,
    )


def dev_metrics(classifier: FramingClassifier, config: Config, log: list, train: Examples, dev) -> dict:
    """metrics.json's figures: the epochs' log, the data, the calibration fitted on dev (stored in
    the classifier's meta) and dev measured through it, and the dev reports the config asks for."""
    metrics: dict = {
        "epochs": log,
        "train_examples": len(train.sentence_rows()),  # joint technique rows are counted apart
        "dev_examples": len(dev),
        "data": data_provenance(config),
        "dev": fit_to_dev(classifier, dev, config.train.calibration_bias),
    }
    if train.techniques is not None:
        metrics["joint_technique_examples"] = len(train) - metrics["train_examples"]
    if config.data.report_label_columns or config.data.group_column:
        metrics.update(dev_reports(classifier, config))
    return metrics


def train(
    config: Config,
    output: str | Path,
    overwrite: bool = False,
    progress: bool = True,
    resume: bool = False,
    on_epoch: Optional[Callable[[dict], None]] = None,
) -> Path:
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
        raise FramingError(
            f"{state_file}: an interrupted run left its training state here; pass --resume to "
            f"continue it or --overwrite to start over"
        )
    saved = load_state(state_file, config) if resume else None  # a missing or mismatched state fails now
    if config.train.threads:
        torch.set_num_threads(config.train.threads)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    train_examples, dev = load_examples(config, tokenizer)
    # dev fits the calibration and picks epochs: refused before any training if it cannot
    require_fittable(dev.labels, config.data.label_names, f"{config.data.dev or config.data.train} (dev split)")
    model, log = fit(
        config,
        train_examples,
        dev,
        base_path,
        tokenizer,
        progress,
        load_intermediate(config, tokenizer),
        state_file,
        saved,
        on_epoch=on_epoch,
    )
    model.technique_branch = None  # a jointly trained head shaped the encoder; add_techniques fits the shipped one
    round_to_stored_dtype(model)
    meta = checkpoint_meta(config)
    metrics = dev_metrics(FramingClassifier.from_model(model, tokenizer, meta), config, log, train_examples, dev)
    metrics["train_seconds"] = round(time.perf_counter() - started, 1)  # of this process, if resumed
    metrics["resumed"] = resume
    files = {
        "training_config.yaml": config.to_yaml(),
        "metrics.json": json.dumps(metrics, indent=2) + "\n",
        "README.md": render_model_card(config, meta.model_dump(), metrics),
    }
    path = save_checkpoint(output, model, tokenizer, meta, files, overwrite=overwrite, dtype=STORED_DTYPE)
    state_file.unlink(missing_ok=True)
    if config.techniques:  # a technique head on the trained encoder, frozen (training/add_techniques.py)
        from framing.training.add_techniques import add_techniques

        add_techniques(path, config.techniques, path, overwrite=True)
    return path
