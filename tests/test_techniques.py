"""The persuasion technique head: trained on a frozen checkpoint, calibrated, on every output."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import load_file

from framing import FramingClassifier
from framing.errors import FramingError
from framing.techniques import NOT_AVAILABLE, OTHER


@pytest.fixture(scope="module")
def with_techniques(technique_checkpoint):
    return FramingClassifier.from_pretrained(technique_checkpoint)


def test_rare_columns_fold_into_other_and_the_head_is_recorded(with_techniques):
    head = with_techniques.meta.techniques
    assert head.labels == ["Loaded_Language", "Doubt", OTHER] and head.folded == ["Slogans"]
    assert set(head.thresholds) == set(head.labels) and head.temperature > 0 and len(head.logit_bias) == 3
    assert len(set(head.thresholds.values())) == 1  # by default one threshold shared by every technique
    assert {"precision", "recall", "f1", "support"} <= set(head.dev["Loaded_Language"])


def test_other_outputs_are_bit_for_bit_those_of_the_source(exported, with_techniques):
    from framing.checkpoint import update_meta

    texts = ["The senator spoke on Tuesday about the budget.", "The greedy company boasted of obscene profits."]
    source = FramingClassifier.from_pretrained(exported, runtime="onnx-int8-full")
    update_meta  # the source's framing.json names no back end: both run the int8 graph
    before, before_words = source.predict_with_words(texts, min_weight=0.0)
    after, after_words = with_techniques.predict_with_words(texts, min_weight=0.0)
    assert np.array_equal(before, after) and before_words == after_words


def test_techniques_a_string_gives_one_list_and_top_k_none_keeps_all(with_techniques):
    one = with_techniques.techniques("The greedy company boasted of obscene profits.")
    assert isinstance(one, list) and all({"technique", "name", "score"} <= set(t) for t in one)
    every = with_techniques.techniques(["The committee released its annual report."], top_k=None)[0]
    assert [t["technique"] for t in sorted(every, key=lambda t: t["technique"])] == sorted(
        with_techniques.technique_labels
    )
    assert all(isinstance(t["found"], bool) for t in every)
    scores = [t["score"] for t in every]
    assert scores == sorted(scores, reverse=True)


def test_found_means_at_or_above_the_threshold(with_techniques):
    texts = ["The greedy company boasted of obscene profits.", "The court heard arguments in the case on Monday."]
    probabilities = with_techniques.predict_techniques(texts)
    thresholds = with_techniques.meta.techniques.threshold_array()
    for row, listed in zip(probabilities, with_techniques.techniques(texts)):
        expected = {with_techniques.technique_labels[i] for i in np.flatnonzero(row >= thresholds)}
        assert {t["technique"] for t in listed} == expected


def test_learns_the_loaded_sentences(with_techniques):
    from helpers import EDITORIAL, NEUTRAL

    loaded = with_techniques.predict_techniques(EDITORIAL + NEUTRAL)[:, 0]
    assert loaded[: len(EDITORIAL)].mean() > loaded[len(EDITORIAL) :].mean()


def test_a_model_without_the_head_says_so(exported):
    classifier = FramingClassifier.from_pretrained(exported)
    assert not classifier.has_techniques
    with pytest.raises(FramingError, match=NOT_AVAILABLE):
        classifier.techniques("The senator spoke on Tuesday.")
    record = classifier.results.record(classifier.predict_proba(["The senator spoke."])[0])
    assert "techniques" not in record  # its outputs stay as they were


def test_analysis_has_techniques_explanations_and_counts(with_techniques):
    from helpers import EDITORIAL, NEUTRAL

    text = " ".join(NEUTRAL[:3] + EDITORIAL[:3]) + ' He said: "' + EDITORIAL[4] + '"'
    analysis = with_techniques.analyze(text)
    assert analysis["techniques_available"] is True
    flag = analysis["flag_label"]
    for sentence in analysis["sentences"]:
        assert isinstance(sentence["techniques"], list)
        assert (sentence["explanation"] is not None) == (sentence["label"] == flag)
    counts = analysis["summary"]["techniques"]
    assert set(counts) == {"author_voice", "quoted"}
    for voice, quoted in (("author_voice", False), ("quoted", True)):
        expected: dict = {}
        for sentence in analysis["sentences"]:
            if sentence["quoted"] == quoted:
                for t in sentence["techniques"]:
                    expected[t["technique"]] = expected.get(t["technique"], 0) + 1
        assert counts[voice] == expected
    json.dumps(analysis)


def test_analysis_without_the_head_says_not_available(exported):
    from framing.terminal import render_analysis

    analysis = FramingClassifier.from_pretrained(exported).analyze("The senator spoke on Tuesday. The vote is in May.")
    assert analysis["techniques_available"] is False and analysis["summary"]["techniques"] is None
    assert all("techniques" not in s and "explanation" not in s for s in analysis["sentences"])
    assert NOT_AVAILABLE in render_analysis(analysis, color=False)


def test_a_linear_head_on_the_last_states_costs_no_layer(exported, tmp_path):
    """layers: 0 trains a linear layer on the encoder's own last hidden states."""
    from framing.training.add_techniques import add_techniques
    from framing.training.config import TechniqueConfig

    from helpers import technique_config_dict

    section = technique_config_dict(tmp_path, layers=0, hidden=0, epochs=60)
    result = add_techniques(exported, TechniqueConfig(**section), tmp_path / "out")
    classifier = FramingClassifier.from_pretrained(tmp_path / "out")
    assert classifier.meta.techniques.layers == 0
    heads = load_file(str(tmp_path / "out" / "framing_heads.safetensors"))
    branch = sorted(key for key in heads if key.startswith("technique_branch."))
    assert branch == ["technique_branch.head.1.bias", "technique_branch.head.1.weight"]
    assert result["labels"] == classifier.technique_labels
    assert classifier.predict_techniques(["The greedy company boasted of obscene profits."]).shape == (1, 3)


def test_the_head_mixes_the_lexicons_logits_at_its_share(technique_checkpoint, with_techniques, tmp_path):
    """The logits the head is calibrated on are (1 - share) x the encoder head's + share x the
    lexicon's; a folder that lost the lexicon is refused by name, and packaging carries it."""
    import shutil

    from framing.technique_lexicon import LEXICON_FILE, TechniqueLexicon
    from framing.training.package import package_checkpoint

    head = with_techniques.meta.techniques
    assert head.lexical_weight == 0.5 and (technique_checkpoint / LEXICON_FILE).is_file()
    texts = ["The greedy company boasted of obscene profits.", "The senator spoke on Tuesday."]
    alone = head.model_copy(update={"lexical_weight": 0.0})
    encoder_only = FramingClassifier(
        with_techniques.runtime, with_techniques.encoder, with_techniques.meta.model_copy(update={"techniques": alone})
    ).forward_techniques(texts)
    lexical = TechniqueLexicon.load(technique_checkpoint, head.labels).logits(texts)
    with pytest.raises(FramingError, match="technique lexicon is read from a checkpoint folder"):
        FramingClassifier(with_techniques.runtime, with_techniques.encoder, with_techniques.meta)
    assert not np.allclose(encoder_only, lexical)
    np.testing.assert_allclose(with_techniques.forward_techniques(texts), 0.5 * encoder_only + 0.5 * lexical, rtol=1e-6)

    damaged = shutil.copytree(technique_checkpoint, tmp_path / "damaged")
    (damaged / LEXICON_FILE).unlink()
    with pytest.raises(FramingError, match="corrupt checkpoint: missing technique_lexicon.npz"):
        FramingClassifier.from_pretrained(damaged)
    packaged = FramingClassifier.from_pretrained(package_checkpoint(technique_checkpoint, tmp_path / "packaged"))
    np.testing.assert_array_equal(packaged.predict_techniques(texts), with_techniques.predict_techniques(texts))


def test_a_changed_lexicon_or_technique_calibration_changes_the_provenance(technique_checkpoint, tmp_path):
    """A resumed corpus run compares provenance: the technique scores depend on the lexicon's
    file and the head's calibration, which the weights' digest does not cover."""
    import shutil

    from framing.checkpoint import update_meta
    from framing.technique_lexicon import TechniqueLexicon

    copy = shutil.copytree(technique_checkpoint, tmp_path / "copy")
    before = FramingClassifier.from_pretrained(copy).provenance()
    assert before["techniques"]["lexicon_sha256"] and before["techniques"]["lexical_weight"] == 0.5

    head = FramingClassifier.from_pretrained(copy).meta.techniques
    lexicon = TechniqueLexicon.load(copy, head.labels)
    lexicon.intercept = lexicon.intercept + 1.0
    lexicon.save(copy)
    after_lexicon = FramingClassifier.from_pretrained(copy).provenance()
    assert after_lexicon["weights_sha256"] == before["weights_sha256"]
    assert after_lexicon["techniques"]["lexicon_sha256"] != before["techniques"]["lexicon_sha256"]

    update_meta(copy, {"techniques": {**head.model_dump(), "temperature": head.temperature * 2}})
    recalibrated = FramingClassifier.from_pretrained(copy).provenance()["techniques"]
    assert recalibrated["temperature"] == head.temperature * 2 != before["techniques"]["temperature"]


def test_evaluate_reports_each_technique_beside_a_baseline_tuned_as_the_head_is(
    technique_checkpoint, tmp_path, monkeypatch
):
    from framing.training import evaluate_techniques as module
    from framing.training.add_techniques import technique_config

    from helpers import technique_frame

    policies = []  # the baseline's thresholds are tuned as the head's were: one shared, or one each

    def tuned(*args):
        policies.append(args[3])
        return best_thresholds(*args)

    best_thresholds = module.best_thresholds
    monkeypatch.setattr(module, "best_thresholds", tuned)
    frame = technique_frame()
    frame.to_csv(tmp_path / "dev.csv", index=False)
    results = module.evaluate_techniques(technique_checkpoint, str(tmp_path / "dev.csv"), tmp_path / "eval", rounds=20)
    for part in ("model", "baseline"):
        per = results[part]["per_technique"]
        assert per["Loaded_Language"]["support"] == frame["Loaded_Language"].sum() and OTHER in per
        assert 0.0 <= results[part]["micro_f1"] <= 1.0 and len(results[part]["micro_f1_ci95"]) == 2
    assert "Loaded language" in (tmp_path / "eval" / "report.md").read_text()
    config = technique_config(technique_checkpoint / "training_config.yaml")
    assert policies == [config.threshold_policy == "shared"] == [True]


@pytest.mark.parametrize("runtime", ["onnx-int8-full", "onnx-fp32"])  # the head a MatMul and an Add; a Gemm
def test_a_checkpoint_shipping_only_its_graph_gets_a_new_head_on_the_graphs_features(
    technique_checkpoint, runtime, tmp_path
):
    """`framing techniques` on an ONNX-only checkpoint (as `accurate` ships): the head is retrained
    on the features its graph's branch pools and written into a copy of the graph; the other
    outputs stay bit for bit, the label set and the head's width may change, its kind may not."""
    import shutil

    import torch

    from framing.checkpoint import update_meta
    from framing.onnx_build import export_onnx
    from framing.technique_lexicon import TechniqueLexicon
    from framing.training.add_techniques import add_techniques
    from framing.training.config import TechniqueConfig
    from framing.training.package import package_checkpoint

    from helpers import technique_config_dict

    source = shutil.copytree(technique_checkpoint, tmp_path / "source")
    if runtime != "onnx-int8-full":
        export_onnx(source, which=(runtime,))
        update_meta(source, {"runtime": {"name": runtime}})
    packaged = package_checkpoint(source, tmp_path / "packaged")
    section = {"layers": 0, "hidden": 8, "columns": ["Loaded_Language", "Doubt"]}
    result = add_techniques(packaged, TechniqueConfig(**technique_config_dict(tmp_path, **section)), tmp_path / "new")
    before, after = (FramingClassifier.from_pretrained(folder) for folder in (packaged, tmp_path / "new"))
    texts = ["The senator spoke on Tuesday about the budget.", "The greedy company boasted of obscene profits."]
    assert before.predict_with_words(texts, min_weight=0.0)[1] == after.predict_with_words(texts, min_weight=0.0)[1]
    assert np.array_equal(before.predict_proba(texts), after.predict_proba(texts))
    assert after.meta.onnx_only and after.technique_labels == result["labels"] == ["Loaded_Language", "Doubt"]
    assert after.meta.techniques.layers == before.meta.techniques.layers == 1  # the graph's copied layer, kept
    # the graph's head is the heads file's: the logits recomputed from the pooled features, mixed
    # half and half with the refitted lexicon's
    heads = {
        k: torch.from_numpy(v).float() for k, v in load_file(tmp_path / "new" / "framing_heads.safetensors").items()
    }
    assert heads["technique_branch.head.1.weight"].shape[0] == 8
    assert any(name.startswith("technique_branch.layers.") for name in heads)  # the copied layer, kept
    features = torch.from_numpy(after.forward_techniques(texts, "technique_features"))
    weights = [heads[f"technique_branch.head.{n}.{kind}"] for n in (1, 4) for kind in ("weight", "bias")]
    mlp = torch.nn.functional.gelu(features @ weights[0].T + weights[1]) @ weights[2].T + weights[3]
    lexicon = TechniqueLexicon.load(tmp_path / "new", after.technique_labels).logits(texts)
    np.testing.assert_allclose(after.forward_techniques(texts), 0.5 * mlp.numpy() + 0.5 * lexicon, rtol=1e-4, atol=1e-4)
    assert after.predict_techniques(texts).shape == (2, 2)
    for change, refusal in (({"layers": 1}, "set techniques.layers: 0"), ({"hidden": 0}, "an MLP .16 hidden units.")):
        config = TechniqueConfig(**technique_config_dict(tmp_path, **section | change))
        with pytest.raises(FramingError, match=refusal):
            add_techniques(packaged, config, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
