"""Mean+max pooled states of several encoder layers of a shipped int8 graph, SemEval train and dev,
one text per call (as shipped):

python experiments/scripts/technique_layer_features.py accurate OUT.npz 4,6,7,8,9,10,11
"""

import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd

from framing.int8_kernels import int8_product_saturates
from framing.predictor import FramingClassifier
from framing.runtime import unsaturated_copy

name, out, layers = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")]
clf = FramingClassifier.from_pretrained(name)
path = clf.runtime.path
src = unsaturated_copy(path) if int8_product_saturates() else str(path)
m = onnx.load(src)
g = m.graph
prefix = [n.output[0] for n in g.node if n.op_type == "LayerNormalization" and "/output/LayerNorm" in n.name]
names = {}
for k in layers:
    t = [p for p in prefix if f"layer.{k}/" in p][0]
    names[k] = t
    g.output.append(onnx.helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None))
opt = ort.SessionOptions()
opt.intra_op_num_threads = 2
opt.log_severity_level = 3
sess = ort.InferenceSession(m.SerializeToString(), opt, providers=["CPUExecutionProvider"])
inputs = [i.name for i in sess.get_inputs()]
d = "../shared/data/semeval2023_persuasion/semeval2023_persuasion_"
arrays = {}
for part in ("dev", "train"):
    texts = pd.read_csv(d + part + ".csv")["text"].astype(str).tolist()
    enc = clf.encoder.encode(texts)
    t0 = time.time()
    feats = {k: np.zeros((len(texts), 1536), np.float32) for k in layers}
    check = np.zeros((len(texts), 1536), np.float32)
    for i, e in enumerate(enc):
        ids = np.array([e.ids], np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        res = sess.run(["technique_features"] + [names[k] for k in layers], {k: feed[k] for k in inputs})
        check[i] = res[0][0]
        for k, h in zip(layers, res[1:]):
            feats[k][i, :768] = h[0].mean(0)
            feats[k][i, 768:] = h[0].max(0)
    for k in layers:
        arrays[f"{part}_L{k}"] = feats[k]
    arrays[part] = check
    print(
        part,
        len(texts),
        round(time.time() - t0),
        "s",
        "L11 vs graph",
        float(np.abs(feats[11] - check).max()) if 11 in layers else "",
        flush=True,
    )
np.savez(out, **arrays)
