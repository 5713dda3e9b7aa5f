"""Pooled technique features [N, 2H] of SemEval train and dev through a checkpoint's shipped back end:

python experiments/scripts/technique_features.py accurate OUT.npz
"""

import sys
import time

import numpy as np
import pandas as pd

from framing.predictor import FramingClassifier

name, out = sys.argv[1], sys.argv[2]
clf = FramingClassifier.from_pretrained(name)
d = "../shared/data/semeval2023_persuasion/semeval2023_persuasion_"
arrays = {}
for part in ("train", "dev"):
    texts = pd.read_csv(d + part + ".csv")["text"].astype(str).tolist()
    t = time.time()
    arrays[part] = clf.forward_techniques(texts, "technique_features")
    if part == "dev":
        arrays[part + "_logits"] = clf.forward_techniques(texts)
    print(part, len(texts), arrays[part].shape, round(time.time() - t), "s", flush=True)
np.savez(out, **arrays)
