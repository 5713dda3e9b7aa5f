"""Batches and where they run: length-grouped batch order, padding examples into tensors, the
training device and its generator's state (training/train.py)."""

from __future__ import annotations

import numpy as np
import torch

from framing.errors import FramingError
from framing.training.examples import IGNORE, Examples


def length_grouped_batches(lengths: list[int], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffle, sort within windows of 50 batches by length, then shuffle the batches:
    batches hold texts of similar length (less padding) yet vary from epoch to epoch.

    Not transformers' get_length_grouped_indices: it sorts each window longest first, puts the
    longest batch first and keeps the batches in window order (long to short within each), and
    takes fewer batches a window on small data, so every data order, and every model trained
    by a config here, would change (and a saved training state would resume on another order)."""
    order = torch.randperm(len(lengths), generator=generator).tolist()
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def epoch_rows(examples: Examples, epochs: int, spread_pool: bool) -> list[np.ndarray]:
    """The rows each of `epochs` epochs trains on: every row, or with `spread_pool` every
    labelled row and the next of `epochs` consecutive shares of the pool (the rows with teacher
    targets; a pool written by `framing pool` is balanced in every stretch)."""
    everything = np.arange(len(examples))
    if not spread_pool or examples.teacher is None:
        return [everything] * epochs
    pool = ~np.isnan(examples.teacher).any(axis=1)  # [N] rows with teacher targets
    labelled = everything[~pool]
    return [np.concatenate([labelled, share]) for share in np.array_split(everything[pool], epochs)]


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
    batch = {
        "input_ids": input_ids,
        "attention_mask": mask,
        "labels": torch.as_tensor(examples.labels[indices]),
        "word_targets": words,
    }
    if examples.soft is not None:
        batch["soft"] = torch.as_tensor(examples.soft[indices], dtype=torch.float32)
    if examples.aux_labels is not None:
        batch["aux_labels"] = torch.as_tensor(examples.aux_labels[indices])
    if examples.weight is not None:
        batch["weight"] = torch.as_tensor(examples.weight[indices], dtype=torch.float32)  # [B]
    if examples.teacher is not None:
        batch["teacher"] = torch.as_tensor(examples.teacher[indices], dtype=torch.float32)  # [B, C], NaN: gold rows
    if examples.techniques is not None:  # [B, K], NaN: rows of the sentence label
        batch["techniques"] = torch.as_tensor(examples.techniques[indices], dtype=torch.float32)
    return batch


def training_device(name: str) -> torch.device:
    """The device `train.device` names; "auto" is a CUDA GPU when torch sees one, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise FramingError(
            f"train.device: {name!r}, but torch {torch.__version__} sees "
            f"{torch.cuda.device_count() or 'no'} CUDA GPU(s); use auto, cpu or another index"
        )
    return device


def gpu_rng_state() -> dict[str, torch.Tensor]:
    """The current CUDA device's generator (dropout on a GPU), for the saved state; {} without one."""
    return {"cuda_rng": torch.cuda.get_rng_state()} if torch.cuda.is_available() else {}
