"""Which layer's pooled states make the best technique features? The shipped head recipe on each
feature set, mixed with the lexicon at 0.5; dev figures in-sample (as shipped) and cross-fitted on halves:

    python experiments/scripts/technique_layer_screen.py OUT.npz "L11;L8;L8+L11" RESULT.json
"""

import importlib.util
import json
import sys
import time

import numpy as np
import torch
from sklearn.metrics import f1_score

from framing.results import calibrated_probabilities
from framing.training.add_techniques import technique_config
from framing.training.calibration import fit_calibration
from framing.training.metrics import FINE_GRID, best_thresholds
from framing.training.technique_data import technique_data
from framing.training.technique_head import EVERY, _tuned_micro_f1, fitted_lexicon

spec = importlib.util.spec_from_file_location("tt", "benchmarks/technique_thresholds.py")
tt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tt)
F = np.load(sys.argv[1])
sets = sys.argv[2].split(";")
cfg = technique_config("configs/techniques_semeval.yaml")
data = technique_data(cfg)
Ytr, Ydv = data.train_targets.astype(np.float32), data.dev_targets.astype(int)
lex = fitted_lexicon(data.train_texts, Ytr.astype(int), "all").logits(data.dev_texts)


def mlp(X, Y, Xd, seed=0, steps=600):
    torch.manual_seed(seed)
    X, Xd = torch.as_tensor(X), torch.as_tensor(Xd)
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
    Xs, Xds = (X - mean) / std, (Xd - mean) / std
    best = None
    for step in range(1, steps + 1):
        head.train()
        opt.zero_grad()
        loss(head(Xs), Yt).backward()
        opt.step()
        if step % EVERY == 0:
            head.eval()
            with torch.inference_mode():
                d = head(Xds).numpy()
            f = _tuned_micro_f1(Ydv, d)
            if best is None or f > best[0]:
                best = (f, step, d)
    return best


out = {}
for s in sets:
    parts = s.split("+")
    Xtr = np.concatenate([F[f"train_{p}"] for p in parts], 1)
    Xdv = np.concatenate([F[f"dev_{p}"] for p in parts], 1)
    t = time.time()
    f_sel, step, d = mlp(Xtr, Ytr, Xdv)
    print("mlp", step, round(time.time() - t), flush=True)
    mixed = 0.5 * d + 0.5 * lex
    fit = fit_calibration(mixed, Ydv, True)
    p = calibrated_probabilities(mixed, fit.temperature, fit.bias, True)
    found = p >= best_thresholds(Ydv, p, FINE_GRID, True)
    ins = [round(f1_score(Ydv, found, average=a, zero_division=0), 4) for a in ("micro", "macro")]
    per = f1_score(Ydv, found, average=None, zero_division=0)
    xf = tt.cross_fitted(mixed, Ydv, 20)

    out[s] = {
        "step": step,
        "in_sample_micro_macro": ins,
        "LL": round(per[data.labels.index("Loaded_Language")], 3),
        "NC": round(per[data.labels.index("Name_Calling-Labeling")], 3),
        "xfit_shared_micro": xf["shared"]["micro_f1"],
    }
    print(s, out[s], round(time.time() - t), "s", flush=True)
json.dump(out, open(sys.argv[3], "w"), indent=1)
