"""Temperature scaling (Guo et al., 2017): one scalar T so that softmax(logits / T) is
calibrated on held-out data. It never changes which label wins, only the probabilities."""

from __future__ import annotations

import numpy as np
import torch


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Minimise the negative log-likelihood of `labels` ([N] ids) under softmax(logits / T)
    ([N, C]); for multi-label targets ([N, C] 0/1), under sigmoid(logits / T)."""
    logits_t = torch.as_tensor(logits, dtype=torch.float64)
    multi_label = np.asarray(labels).ndim == 2
    labels_t = torch.as_tensor(labels, dtype=torch.float64 if multi_label else torch.long)
    nll = (torch.nn.functional.binary_cross_entropy_with_logits if multi_label
           else torch.nn.functional.cross_entropy)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)  # optimise log T so T > 0
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = nll(logits_t / log_t.exp(), labels_t)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(np.clip(log_t.exp().item(), 0.05, 20.0))
