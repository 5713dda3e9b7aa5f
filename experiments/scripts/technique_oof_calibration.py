"""Is a k-fold bagged technique head, calibrated on out-of-fold logits, better than today's
(trained on train, round chosen and calibrated on dev)? Dev is never used for fitting in
the bagged arm; the shipped arm is cross-fitted on dev halves (benchmarks/technique_thresholds).

    python experiments/scripts/technique_oof_calibration.py FEATURES.npz [k]   (FEATURES.npz from technique_features.py)
"""

import json
import sys
import time

import numpy as np
import torch
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold

from framing.results import calibrated_probabilities
from framing.training.add_techniques import technique_config
from framing.training.calibration import fit_calibration
from framing.training.metrics import FINE_GRID, best_thresholds
from framing.training.technique_data import technique_data
from framing.training.technique_head import EVERY, fitted_lexicon

feats = np.load(sys.argv[1])
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
cfg = technique_config("configs/techniques_semeval.yaml")
data = technique_data(cfg)
Xtr, Xdv = torch.as_tensor(feats["train"]).float(), torch.as_tensor(feats["dev"]).float()
Ytr, Ydv = data.train_targets.astype(np.float32), data.dev_targets.astype(int)
share = cfg.lexical_weight


def mlp_fit(X, Y, Xeval_list, seed=0, steps=600):
    """today's head recipe; returns logits [N, K] of each eval set at every EVERY steps"""
    torch.manual_seed(seed)
    mean, std = X.mean(0), X.std(0).clamp(min=0.05)
    head = torch.nn.Sequential(
        torch.nn.Dropout(0.3),
        torch.nn.Linear(X.shape[1], 512),
        torch.nn.GELU(),
        torch.nn.Dropout(0.3),
        torch.nn.Linear(512, Y.shape[1]),
    )
    Yt = torch.as_tensor(Y)
    pos = Yt.sum(0).clamp(min=1.0)
    loss = torch.nn.BCEWithLogitsLoss(pos_weight=((len(Y) - pos) / pos).clamp(max=100.0).sqrt())
    opt = torch.optim.AdamW(head.parameters(), lr=cfg.head_lr, weight_decay=cfg.weight_decay)
    Xs = (X - mean) / std
    outs = {}
    for step in range(1, steps + 1):
        head.train()
        opt.zero_grad()
        loss(head(Xs), Yt).backward()
        opt.step()
        if step % EVERY == 0:
            head.eval()
            with torch.inference_mode():
                outs[step] = [head((E - mean) / std).numpy() for E in Xeval_list]
    return outs


def score(fit_logits, fit_y, eval_logits, eval_y):
    fit = fit_calibration(fit_logits, fit_y, True)
    p_fit = calibrated_probabilities(fit_logits, fit.temperature, fit.bias, True)
    p_eval = calibrated_probabilities(eval_logits, fit.temperature, fit.bias, True)
    out = []
    for shared in (True, False):
        found = p_eval >= best_thresholds(fit_y, p_fit, FINE_GRID, shared)
        out += [round(f1_score(eval_y, found, average=a, zero_division=0), 4) for a in ("micro", "macro")]
    return out  # shared micro, macro, per-label micro, macro


results = {}
t0 = time.time()
# arm A: bagged over train alone, calibrated on train OOF, scored on all dev (dev untouched)
texts_tr = data.train_texts
oof = {}  # step -> [Ntr, K]
dev_sum = {}
lex_oof = np.zeros_like(Ytr)
for f, (fit_i, held_i) in enumerate(KFold(K, shuffle=True, random_state=0).split(Xtr)):
    lex = fitted_lexicon([texts_tr[i] for i in fit_i], Ytr[fit_i].astype(int), "fold")
    lex_oof[held_i] = lex.logits([texts_tr[i] for i in held_i])
    outs = mlp_fit(Xtr[fit_i], Ytr[fit_i], [Xtr[held_i], Xdv], seed=f)
    for step, (h, d) in outs.items():
        oof.setdefault(step, np.zeros_like(Ytr))[held_i] = h
        dev_sum[step] = dev_sum.get(step, 0) + d / K
    print("fold", f, round(time.time() - t0), "s", flush=True)
lex_all = fitted_lexicon(texts_tr, Ytr.astype(int), "all")
lex_dev = lex_all.logits(data.dev_texts)
Yint = Ytr.astype(int)
for step in sorted(oof):
    mixed_oof = (1 - share) * oof[step] + share * lex_oof
    mixed_dev = (1 - share) * dev_sum[step] + share * lex_dev
    fit = fit_calibration(mixed_oof, Yint, True)
    p = calibrated_probabilities(mixed_oof, fit.temperature, fit.bias, True)
    oof_micro = f1_score(Yint, p >= best_thresholds(Yint, p, FINE_GRID, True), average="micro")
    results[step] = {"oof_micro": round(oof_micro, 4), "dev": score(mixed_oof, Yint, mixed_dev, Ydv)}
    print(step, results[step], flush=True)
json.dump(results, open(sys.argv[1].replace(".npz", f"_bag{K}.json"), "w"), indent=1)

# arm B: one head on all of train, the step and calibration chosen on the folds' OOF logits
full = mlp_fit(Xtr, Ytr, [Xdv], seed=K)
lex_dev_mixed = share * lex_dev
single = {}
for step in sorted(oof):
    mixed_oof = (1 - share) * oof[step] + share * lex_oof
    single[step] = score(mixed_oof, Yint, (1 - share) * full[step][0] + lex_dev_mixed, Ydv)
    print("single", step, single[step], flush=True)
json.dump({"bagged": results, "single": single}, open(sys.argv[1].replace(".npz", f"_bag{K}.json"), "w"), indent=1)
