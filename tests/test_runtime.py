import shutil

import numpy as np
import pytest

from framing import FramingClassifier, FramingError
from framing.checkpoint import update_meta

from helpers import EDITORIAL, NEUTRAL

TEXTS = NEUTRAL + EDITORIAL + ["Short.", "A " + "much " * 30 + "longer passage."]


def test_onnx_fp32_matches_torch(exported):
    torch_clf = FramingClassifier.from_pretrained(exported, runtime="torch-fp32")
    onnx_clf = FramingClassifier.from_pretrained(exported, runtime="onnx-fp32")
    assert onnx_clf.runtime.name == "onnx-fp32"
    reference, ref_words = torch_clf.predict_with_words(TEXTS, min_weight=0.0)
    proba, words = onnx_clf.predict_with_words(TEXTS, min_weight=0.0)
    assert proba == pytest.approx(reference, abs=1e-4)
    assert [w["weight"] for ws in words for w in ws] == pytest.approx(
        [w["weight"] for ws in ref_words for w in ws], abs=1e-4
    )


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-int8-full"])
def test_onnx_int8_keeps_labels_within_tolerance(exported, runtime):
    reference = FramingClassifier.from_pretrained(exported, runtime="torch-fp32").predict_proba(TEXTS)
    proba = FramingClassifier.from_pretrained(exported, runtime=runtime).predict_proba(TEXTS)
    assert np.abs(proba - reference).max() < 0.1
    clear = np.abs(reference[:, 1] - 0.5) > 0.1  # where fp32 is not on the fence, the label is the same
    assert (proba.argmax(1) == reference.argmax(1))[clear].all()


def test_missing_onnx_file_is_built_on_first_load(tiny_checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path / "cache"))
    folder = shutil.copytree(tiny_checkpoint, tmp_path / "ckpt")
    update_meta(folder, {"runtime": {"name": "onnx-int8"}})
    classifier = FramingClassifier.from_pretrained(folder)
    # (on a CPU whose int8 kernel saturates, its re-expressed copy lies in the cache too)
    built = [path for path in (tmp_path / "cache").rglob("model.int8.onnx") if ".unsaturated-" not in str(path)]
    assert classifier.runtime.name == "onnx-int8" and len(built) == 1
    assert not (folder / "model.int8.onnx").exists()  # the checkpoint folder is left as shipped
    assert len(classifier(TEXTS)) == len(TEXTS)


def test_unknown_runtime_is_refused(tiny_checkpoint):
    with pytest.raises(FramingError, match="unknown runtime 'gpu'"):
        FramingClassifier.from_pretrained(tiny_checkpoint, runtime="gpu")


@pytest.mark.parametrize("runtime", ["torch-fp32", "onnx-fp32", "onnx-int8", "onnx-int8-full"])
def test_every_back_end_is_batch_invariant(exported, runtime):
    """A text's probabilities and word weights do not depend on the other texts of the call."""
    from framing.training.backend_choice import batch_company_change

    classifier = FramingClassifier.from_pretrained(exported, runtime=runtime)
    assert batch_company_change(classifier, TEXTS, alone=len(TEXTS)) <= 1e-5
    _, together = classifier.predict_with_words(TEXTS, min_weight=0.0)
    _, alone = classifier.predict_with_words(TEXTS[-1:], min_weight=0.0)
    assert [w["weight"] for w in alone[0]] == pytest.approx([w["weight"] for w in together[-1]], abs=1e-5)


FORKED = """
import multiprocessing, sys
from framing import FramingClassifier
texts = sys.argv[3:]
classifier = FramingClassifier.from_pretrained(sys.argv[1], runtime=sys.argv[2])
before = classifier.predict_proba(texts)  # starts ONNX Runtime's threads (and, int8, the worker pool)

def child(queue):
    queue.put(classifier.predict_proba(texts).tolist())

context = multiprocessing.get_context("fork")
queue = context.Queue()
process = context.Process(target=child, args=(queue,))
process.start()
after = queue.get(timeout=45)
process.join(30)
print(process.exitcode, abs(before - after).max() if len(after) else "none")
"""


@pytest.mark.parametrize("runtime", ["onnx-fp32", "onnx-int8"])
def test_a_forked_process_scores_with_the_parents_classifier(exported, runtime):
    # Issue 25, case 12: a child forked after the parent had scored a list hung forever
    import subprocess
    import sys

    texts = NEUTRAL[:3] + EDITORIAL[:3]
    done = subprocess.run(
        [sys.executable, "-c", FORKED, str(exported), runtime, *texts], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    code, difference = done.stdout.split()
    assert code == "0" and float(difference) == 0.0
