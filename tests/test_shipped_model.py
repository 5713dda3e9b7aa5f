"""Integration tests on the real shipped checkpoint and base model (a few seconds each)."""

import json
from pathlib import Path

import pytest

from framing import FramingClassifier, FramingError
from framing.training.base_model import PACKAGED_MODELS, resolve_base_model

from helpers import ACCURATE, BABE, FAST

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def shipped():
    return FramingClassifier.from_pretrained("fast")


def test_the_default_is_the_accurate_model_and_both_are_there_by_name(monkeypatch):
    monkeypatch.delenv("FRAMING_CHECKPOINT", raising=False)
    default = FramingClassifier.from_pretrained()  # no argument: the accurate model
    assert Path(default.checkpoint_dir).resolve() == ACCURATE.resolve() and default.meta.onnx_only
    assert default.runtime.name == default.meta.runtime.name and default.labels == ["neutral", "editorializing"]
    assert Path(FramingClassifier.from_pretrained("fast").checkpoint_dir).resolve() == FAST.resolve()


@pytest.mark.parametrize("name", ["fast", "accurate"])
def test_loaded_editorial_scores_above_plain_report(name):
    # the accurate model's int8 graph scored every sentence alike (0.35) on CPUs whose int8
    # kernel saturates, before framing.int8_kernels
    editorial, factual = FramingClassifier.from_pretrained(name)(
        [
            "The senator's apologist foreign policy was another humiliating retreat.",
            "The senator spoke to reporters on Tuesday about the annual budget.",
        ],
        top_k=None,
    )
    p_editorial = {r["label"]: r["score"] for r in editorial}["editorializing"]
    p_factual = {r["label"]: r["score"] for r in factual}["editorializing"]
    assert p_editorial > 0.5 > p_factual


@pytest.mark.skipif(not BABE.is_dir(), reason="BABE is not in ../shared/data/babe")
def test_dev_scores_match_the_recorded_metrics(shipped):
    import pandas as pd
    from scipy.special import softmax

    from framing.training.config import load_config
    from framing.training.metrics import classification_metrics

    column = load_config(FAST / "training_config.yaml").data.label_column  # the labels it was trained on
    dev = pd.read_csv(BABE / "babe_sg2_dev.csv").dropna(subset=[column])
    gold = dev[column].map({"Non-biased": 0, "Biased": 1}).to_numpy()
    fp32 = FramingClassifier.from_pretrained("fast", runtime="torch-fp32")
    logits = fp32.logits(dev["text"].tolist())
    recorded = json.loads((FAST / "metrics.json").read_text())["dev"]
    # the shipped fp16 weights reproduce what training measured on them: ROC-AUC ranks by the
    # logit margin, which no calibration (temperature, bias; refitted since) reorders
    raw = classification_metrics(gold, softmax(logits, axis=1), fp32.labels, 0)  # [N, 2], ranked by z1 - z0
    assert raw["roc_auc"] == pytest.approx(recorded["roc_auc"], abs=1e-3)


@pytest.mark.skipif(not BABE.is_dir(), reason="BABE is not in ../shared/data/babe")
@pytest.mark.parametrize("name", ["fast", "accurate"])
def test_the_default_back_end_gives_what_calibration_recorded(name):
    import pandas as pd

    from framing.training.metrics import classification_metrics

    classifier = FramingClassifier.from_pretrained(name)
    fit = classifier.meta.calibration
    assert (fit.data.endswith("babe_sg2_dev.csv"), fit.runtime) == (True, classifier.runtime.name)
    dev = pd.read_csv(BABE / "babe_sg2_dev.csv").dropna(subset=[fit.label_column])
    gold = dev[fit.label_column].map({"Non-biased": 0, "Biased": 1}).to_numpy()
    metrics = classification_metrics(gold, classifier.predict_proba(dev["text"].tolist()), classifier.labels, 0)
    # The same int8 products on every CPU (framing.int8_kernels), so the figures are those
    # `framing calibrate` recorded in framing.json, up to float rounding and onnxruntime releases; ECE over 394
    # sentences moves by up to 0.02 from such noise (README, "Calibration"), so it is held to
    # that, and to beating the uncalibrated ECE the fit started from.
    assert metrics["macro_f1"] == pytest.approx(fit.after["macro_f1"], abs=0.01)
    assert metrics["ece"] == pytest.approx(fit.after["ece"], abs=0.02)
    assert metrics["ece"] < fit.uncalibrated["ece"]


def test_packaged_base_model_resolves_offline_and_is_verified():
    folder = resolve_base_model("sentence-transformers/all-MiniLM-L6-v2")
    assert folder.endswith("model")
    from transformers import AutoConfig

    assert AutoConfig.from_pretrained(folder).hidden_size == 384


def test_base_model_with_wrong_hash_is_refused(monkeypatch):
    from framing.training.base_model import PackagedFolder

    module = PACKAGED_MODELS["sentence-transformers/all-MiniLM-L6-v2"].module
    monkeypatch.setitem(PACKAGED_MODELS, "sentence-transformers/all-MiniLM-L6-v2", PackagedFolder(module, "0" * 64))
    with pytest.raises(FramingError, match="does not match the official"):
        resolve_base_model("sentence-transformers/all-MiniLM-L6-v2")


def test_other_names_pass_through_unchanged(tmp_path):
    assert resolve_base_model("distilbert-base-uncased") == "distilbert-base-uncased"
    assert resolve_base_model(str(tmp_path)) == str(tmp_path)


CLEAR_CASES = [
    "The senator's apologist foreign policy was another humiliating retreat.",
    "The senator spoke to reporters on Tuesday about the annual budget.",
    "The committee will meet again next month to review the proposal.",
    "The radical left's insane scheme would destroy what remains of our economy.",
    "The company said quarterly revenue rose 4 percent from a year earlier.",
    "Trump's unhinged, racist rant shocked even his most loyal enablers.",
]


@pytest.mark.parametrize("runtime", ["onnx-fp32", "onnx-int8", "onnx-int8-full"])
def test_every_back_end_gives_the_fp32_labels(shipped, runtime):
    reference = FramingClassifier.from_pretrained("fast", runtime="torch-fp32").predict_proba(CLEAR_CASES)
    proba = FramingClassifier.from_pretrained("fast", runtime=runtime).predict_proba(CLEAR_CASES)
    assert (proba.argmax(1) == reference.argmax(1)).all()
    assert abs(proba - reference).max() < (1e-4 if runtime == "onnx-fp32" else 0.1)


def test_highlights_on_the_issue_example(shipped):
    _, words = shipped.predict_with_words(
        ["The senator's apologist foreign policy was another humiliating retreat", "The senator spoke on Tuesday"]
    )
    assert {"apologist", "humiliating"} <= {w["text"] for w in words[0]}
    assert words[1] == []


@pytest.mark.skipif(not BABE.is_dir(), reason="BABE is not in ../shared/data/babe")
@pytest.mark.parametrize("runtime", ["torch-fp32", "onnx-fp32", "onnx-int8", "onnx-int8-full"])
def test_shipped_model_is_batch_invariant_on_real_sentences(runtime, tmp_path_factory, monkeypatch):
    """Alone, in a list, or in the reversed list: every back end gives a dev sentence the
    same probabilities within 1e-5 (the ONNX files not shipped are built into a cache)."""
    import pandas as pd

    from framing.training.backend_choice import batch_company_change

    monkeypatch.setenv("FRAMING_CACHE", str(tmp_path_factory.getbasetemp() / "onnx-cache"))
    texts = pd.read_csv(BABE / "babe_sg2_dev.csv")["text"].tolist()[:120]
    classifier = FramingClassifier.from_pretrained("fast", runtime=runtime)
    assert batch_company_change(classifier, texts, alone=40) <= 1e-5
