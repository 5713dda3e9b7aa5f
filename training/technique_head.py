"""Teach a checkpoint persuasion techniques (or any multi-label column set) without changing it.

The shared encoder stays frozen: the hidden states entering its last `layers` layers are
computed once per text, and only a copy of those layers and a linear layer on top
(framing.model.TechniqueBranch) are trained on them, so an epoch costs `layers / depth` of a
forward pass and every other output of the checkpoint stays as it was (bit for bit on the same
back end). The branch's calibration (temperature and a bias per technique) and the thresholds
(one shared by every technique, or one each: `threshold_policy`) are then fitted on dev through
the back end the checkpoint ships with.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import f1_score
from tqdm.auto import tqdm

from framing.errors import FramingError
from framing.model import FramingModel, TechniqueBranch
from framing.technique_lexicon import TechniqueLexicon
from framing.techniques import TechniqueHead
from framing.training.baseline import tfidf_baseline
from framing.training.batching import length_grouped_batches
from framing.training.calibration import calibrate_logits
from framing.training.config import TechniqueConfig
from framing.training.config_files import portable_path
from framing.training.metrics import FINE_GRID, best_thresholds
from framing.training.technique_data import TechniqueData

States = list[torch.Tensor]  # one [T_i, H] tensor per text: the hidden states entering the branch


def entering_states(model: FramingModel, tokenizer, texts: list[str], layers: int, max_length: int) -> States:
    """The frozen encoder's hidden states entering its last `layers` layers, per text (fp16 to
    halve the memory: 5,588 paragraphs of mpnet hold 0.5 GB so)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    states: list = [None] * len(texts)
    for start in tqdm(range(0, len(order), 32), desc="encoding", unit="batch", leave=False):
        batch = order[start : start + 32]
        encoded = tokenizer(
            [texts[i] for i in batch], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        with torch.inference_mode():
            out = model.classifier(**encoded, output_hidden_states=True)
        hidden = out.hidden_states[-1 - layers]  # [B, T, H]
        for row, i in enumerate(batch):
            states[i] = hidden[row, : int(encoded["attention_mask"][row].sum())].to(torch.float16).clone()
    return states


def _padded(states: States, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(states[i]) for i in indices)
    hidden = torch.zeros(len(indices), width, states[indices[0]].shape[1])
    mask = torch.zeros(len(indices), width, dtype=torch.long)
    for row, i in enumerate(indices):
        hidden[row, : len(states[i])] = states[i].float()
        mask[row, : len(states[i])] = 1
    return hidden, mask  # [B, T, H], [B, T]


def pooled_features(branch: TechniqueBranch, classifier, states: States, batch_size: int = 64) -> torch.Tensor:
    """The branch's pooled features of every text, [N, 2H] (no gradient)."""
    order = sorted(range(len(states)), key=lambda i: len(states[i]))
    features = torch.zeros(len(states), 2 * states[0].shape[1])
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            features[batch] = branch.pooled(*_padded(states, batch), classifier)
    return features


class _Fit:
    """What both ways of training share: the loss, the optimiser, the standardization of the
    pooled features (their mean and spread on train before training: on raw mpnet features the
    MLP learned a third slower and stopped lower) and the round with the best dev micro-F1
    (thresholds tuned per label on dev, as they will be)."""

    def __init__(self, branch: TechniqueBranch, features: torch.Tensor, targets: np.ndarray, config: TechniqueConfig):
        # a floor on the spread: the folded weights (w / std) must stay finite in the fp16 checkpoint
        self.branch, self.mean, self.std = branch, features.mean(dim=0), features.std(dim=0).clamp(min=0.05)
        positives = torch.as_tensor(targets.sum(axis=0)).clamp(min=1.0)
        # rare techniques weigh more, but only by the square root of their rarity (at most 10x)
        self.loss = torch.nn.BCEWithLogitsLoss(
            pos_weight=((len(targets) - positives) / positives).clamp(max=100.0).sqrt()
        )
        groups = [{"params": branch.head.parameters(), "lr": config.head_lr}]
        groups += [{"params": branch.layers.parameters(), "lr": config.lr}] if len(branch.layers) else []
        self.optimizer = torch.optim.AdamW(groups, weight_decay=config.weight_decay)
        self.history, self.best = [], None

    def step(self, features: torch.Tensor, targets: torch.Tensor) -> None:
        self.branch.train()
        self.optimizer.zero_grad()
        self.loss(self.branch.head((features - self.mean) / self.std), targets).backward()
        self.optimizer.step()

    def evaluate(self, round_: int, dev_features: torch.Tensor, dev_targets: np.ndarray) -> None:
        self.branch.eval()
        with torch.inference_mode():
            logits = self.branch.head((dev_features - self.mean) / self.std).numpy()
        self.history.append({"round": round_, "dev_micro_f1": _tuned_micro_f1(dev_targets, logits)})
        if self.best is None or self.history[-1]["dev_micro_f1"] > self.best[0]:
            self.best = (self.history[-1]["dev_micro_f1"], {k: v.clone() for k, v in self.branch.state_dict().items()})

    def finish(self) -> list[dict]:
        self.branch.load_state_dict(self.best[1])
        self.branch.fold_standardization(self.mean, self.std)
        self.branch.eval()
        return self.history


def train_head(
    branch: TechniqueBranch,
    features,
    targets: np.ndarray,
    dev_features,
    dev_targets: np.ndarray,
    config: TechniqueConfig,
) -> list[dict]:
    """Without copied layers the pooled features [N, 2H] never change: the head trains on all of
    them at once, `epochs` full-batch steps evaluated every EVERY. Returns each round's figure."""
    torch.manual_seed(config.seed)
    features, dev_features = torch.as_tensor(features), torch.as_tensor(dev_features)
    fit, target = _Fit(branch, features, targets, config), torch.as_tensor(targets)
    for step in range(1, config.epochs + 1):
        fit.step(features, target)
        if step % EVERY == 0 or step == config.epochs:
            fit.evaluate(step, dev_features, dev_targets)
    return fit.finish()


def train_branch(
    model: FramingModel,
    train: States,
    targets: np.ndarray,
    dev: States,
    dev_targets: np.ndarray,
    config: TechniqueConfig,
) -> list[dict]:
    """With copied layers: `epochs` passes in length-grouped batches over the cached states
    entering them, each evaluated on dev. Returns each pass's figure."""
    torch.manual_seed(config.seed)
    branch, classifier = model.technique_branch, model.classifier
    fit, target = _Fit(branch, pooled_features(branch, classifier, train), targets, config), torch.as_tensor(targets)
    generator = torch.Generator().manual_seed(config.seed)
    for epoch in range(1, config.epochs + 1):
        batches = length_grouped_batches([len(s) for s in train], config.batch_size, generator)
        for batch in tqdm(batches, desc=f"techniques epoch {epoch}", unit="batch", leave=False):
            branch.train()
            fit.optimizer.zero_grad()
            pooled = branch.pooled(*_padded(train, batch), classifier)  # [B, 2H]
            fit.loss(branch.head((pooled - fit.mean) / fit.std), target[batch]).backward()
            fit.optimizer.step()
        fit.evaluate(epoch, pooled_features(branch, classifier, dev), dev_targets)
    return fit.finish()


EVERY = 20  # full-batch steps between dev evaluations


def _tuned_micro_f1(targets: np.ndarray, logits: np.ndarray) -> float:
    proba = 1.0 / (1.0 + np.exp(-logits))
    return float(f1_score(targets, proba >= best_thresholds(targets, proba), average="micro", zero_division=0))


def fitted_head(
    logits: np.ndarray, data: TechniqueData, config: TechniqueConfig, bootstrap_rounds: int = 1000
) -> tuple[TechniqueHead, dict]:
    """The head's framing.json record from its dev logits through the shipped back end:
    calibration and thresholds fitted there, and its dev figures (per technique and averaged)."""
    shared = config.threshold_policy == "shared"
    outcome = calibrate_logits(
        logits, data.dev_targets, data.labels, True, True, None, bootstrap_rounds, FINE_GRID, shared_threshold=shared
    )
    figures = outcome.calibrated
    head = TechniqueHead(
        labels=data.labels,
        layers=config.layers,
        hidden=config.hidden,
        temperature=outcome.fit.temperature,
        logit_bias=outcome.fit.bias,
        thresholds=dict(zip(data.labels, outcome.thresholds.tolist())),
        lexical_weight=config.lexical_weight,
        folded=data.folded,
        data=config.about.name or portable_path(config.train),
        dev={
            **{name: {k: float(v) for k, v in row.items()} for name, row in figures["per_class"].items()},
            "micro": {"f1": figures["micro_f1"]},
            "macro": {"f1": figures["macro_f1"]},
        },
    )
    return head, figures


def fitted_lexicon(texts: list[str], targets: np.ndarray, where: str) -> TechniqueLexicon:
    """The head's lexical half (framing.technique_lexicon): the project's TF-IDF baseline
    (training/baseline.py) on the terms found in at least two training texts, a class-balanced
    logistic regression per technique. On SemEval dev, mixed half and half with the encoder
    head's logits it added 0.03-0.05 micro-F1 and most to the rarer techniques."""
    baseline = tfidf_baseline().set_params(tfidfvectorizer__min_df=2, tfidfvectorizer__dtype=np.float32)
    vectorizer, classifier = baseline[0], baseline[-1]
    try:
        features = vectorizer.fit_transform(texts)  # [N, V] sparse, rows of unit length
    except ValueError as error:  # scikit-learn: "After pruning, no terms remain"
        raise FramingError(f"{where}: no word of the technique texts is in two of them ({error})") from None
    weights = np.zeros((targets.shape[1], features.shape[1]), np.float32)  # [K, V]
    intercept = np.zeros(targets.shape[1], np.float32)
    for k, column in enumerate(targets.T):
        if len(np.unique(column)) < 2:  # e.g. every rare positive drawn into dev: no words to learn,
            intercept[k] = 10.0 if column[0] else -10.0  # only the constant (the calibration's bias follows)
            continue
        classifier.fit(features, column)
        weights[k], intercept[k] = classifier.coef_[0], classifier.intercept_[0]
    return TechniqueLexicon(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_, weights, intercept)
