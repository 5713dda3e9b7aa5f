"""FramingClassifier: the one predictor every surface calls (Python, CLI, evaluation).

Results follow `transformers.pipeline("text-classification")`: a string gives
`{"label", "score"}`, a list gives a list of those, and `top_k=None` gives every label
with its probability, best first. Probabilities are calibrated: logits are divided by the
temperature and shifted by the per-label bias fitted on held-out data (the dev split, or
`framing calibrate`) and stored in the checkpoint.

A multi-label checkpoint (sigmoid outputs) gives, by default, the list of labels whose
probability passes that label's threshold (tuned on dev, stored in the checkpoint), best
first and possibly empty; `top_k=None` still gives every label.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from framing.article import analyze_article
from framing.checkpoint import CheckpointMeta, check_folder, locate_checkpoint, parse_meta
from framing.contrast import contrast_articles
from framing.deadline import check_deadline
from framing.encoding import TextEncoder
from framing.errors import FramingError
from framing.inputs import as_texts, check_batch_size, check_top_k
from framing.results import Results, calibrated_probabilities
from framing.runtime import open_runtime
from framing.technique_lexicon import TechniqueLexicon
from framing.techniques import NOT_AVAILABLE, found
from framing.words import is_title_case, never_loaded

TextInput = Union[str, Sequence[str]]


class FramingClassifier:
    """Labels passages neutral or editorializing (or a checkpoint's own labels) with
    calibrated probabilities, marks the words that carry the judgement, and analyzes articles.

        clf = FramingClassifier.from_pretrained()           # "accurate"; or "fast", a folder, a hub id
        clf("The senator spoke on Tuesday.")                # {"label": "neutral", "score": 0.97}
        clf(["...", "..."], top_k=None)                     # every label, best first, per text
        clf.predict_proba(texts)                            # [N, C] in the order of clf.labels
        clf.predict_with_words(texts)                       # probabilities and marked words
        clf.techniques("...")                               # persuasion techniques found, if trained
        clf.analyze(article_or_saved_page)                  # sentences, quotes, words, summary
        clf.contrast([article_1, article_2])                # two reports of one event

    A text's scores never depend on the rest of the call. `results` shapes probabilities into
    the records the CLI, the HTTP service and corpus scoring write (framing.results).
    """

    def __init__(
        self,
        runtime,
        encoder: TextEncoder,
        meta: CheckpointMeta,
        batch_size: int = 8,
        checkpoint_dir: Optional[str | Path] = None,
    ):
        self.runtime = runtime  # a back end of framing.runtime
        self.encoder = encoder
        self.checkpoint_dir = checkpoint_dir  # the checkpoint folder, when loaded from one
        self.meta = meta  # framing.checkpoint.CheckpointMeta: labels, calibration, thresholds
        # Small length-sorted batches: on 2 cores, 8 is as fast per sentence as 32 and pads
        # less, which matters most for one article's few sentences (analyze).
        self.batch_size = check_batch_size(batch_size)
        mixed = meta.techniques is not None and meta.techniques.lexical_weight > 0
        if mixed and checkpoint_dir is None:  # its calibration was fitted on mixed logits: never score without
            raise FramingError("techniques.lexical_weight > 0: the technique lexicon is read from a checkpoint folder")
        self.lexicon = TechniqueLexicon.load(Path(checkpoint_dir), meta.techniques.labels) if mixed else None

    @classmethod
    def from_model(
        cls, model, tokenizer, meta: CheckpointMeta | dict[str, Any], batch_size: int = 8
    ) -> "FramingClassifier":
        """A predictor over an in-memory PyTorch FramingModel and its transformers tokenizer
        (training and cross-validation score their models through it)."""
        from framing.runtime import TorchRuntime

        meta = meta if isinstance(meta, CheckpointMeta) else parse_meta(meta, "metadata")
        encoder = TextEncoder.from_transformers(tokenizer, meta.max_length)
        return cls(TorchRuntime(model), encoder, meta, batch_size=batch_size)

    @classmethod
    def from_pretrained(
        cls,
        checkpoint: Optional[str | Path] = None,
        runtime: str = "auto",
        batch_size: int = 8,
        threads: Optional[int] = None,
    ) -> "FramingClassifier":
        """Load a shipped model by name ("accurate", "fast"), a checkpoint folder or a hub id;
        with no argument, $FRAMING_CHECKPOINT or else the accurate model.

        `runtime` "auto" uses the back end the checkpoint names (set by `framing export`, the
        fastest one within 0.01 dev macro-F1 of fp32), else "torch-fp32"; or name one of
        framing.runtime.RUNTIMES ("torch-fp32" forces the PyTorch fp32 model). `threads` sets
        ONNX Runtime's threads (default: the machine's physical cores); PyTorch uses
        torch.set_num_threads.
        """
        check_batch_size(batch_size)
        folder = locate_checkpoint(checkpoint)
        meta = check_folder(folder)
        encoder = TextEncoder.from_folder(folder, meta.max_length)
        if runtime == "auto":
            runtime = meta.runtime.name if meta.runtime else "torch-fp32"
        backend = open_runtime(folder, runtime, threads)
        return cls(backend, encoder, meta, batch_size=batch_size, checkpoint_dir=folder)

    def provenance(self) -> dict[str, Any]:
        """What decides this predictor's scores: the checkpoint (path and weights' sha256),
        the back end, calibration and truncation, and the technique head's calibration and
        lexicon. Batch size and threads do not change them."""
        from framing.checkpoint import weights_digest

        return {
            "checkpoint": str(Path(self.checkpoint_dir).resolve()) if self.checkpoint_dir else None,
            "weights_sha256": weights_digest(Path(self.checkpoint_dir)) if self.checkpoint_dir else None,
            "runtime": self.runtime.name,
            "max_length": self.max_length,
            "temperature": self.temperature,
            "logit_bias": self.meta.logit_bias,
            "labels": self.labels,
            "techniques": self._technique_provenance(),
        }

    def _technique_provenance(self) -> Optional[dict[str, Any]]:
        """What decides the technique scores beyond the weights: the head's calibration and
        thresholds, and the lexicon whose logits are mixed in (a file of its own; its arrays' digest)."""
        head = self.meta.techniques
        if head is None:
            return None
        calibration = head.model_dump(include={"labels", "lexical_weight", "temperature", "logit_bias", "thresholds"})
        return {**calibration, "lexicon_sha256": self.lexicon.digest() if self.lexicon is not None else None}

    @property
    def labels(self) -> list[str]:
        return list(self.meta.labels)

    @property
    def temperature(self) -> float:
        return self.meta.temperature

    @property
    def max_length(self) -> int:
        return self.meta.max_length

    @property
    def multi_label(self) -> bool:
        return self.meta.multi_label

    @property
    def flag_label(self) -> str:
        """The label an article analysis counts and highlights (the last label unless set)."""
        return self.meta.flag_label or self.labels[-1]

    @property
    def thresholds(self) -> np.ndarray:
        """Multi-label: each label's decision threshold, [C] (0.5 where none was tuned)."""
        return np.array([float(self.meta.thresholds.get(label, 0.5)) for label in self.labels])

    def analyze(
        self,
        text: str,
        top: int = 3,
        format: str = "auto",
        max_chars: Optional[int] = None,
        all_techniques: bool = False,
    ) -> dict[str, Any]:
        """Sentence-by-sentence analysis of an article with highlighted words; see framing.article.
        `text` is plain text or a saved news page (HTML: "auto" takes a document that starts
        like one as a page; "text" or "html" say which); an article (a page's extracted text)
        over `max_chars` characters is refused. `all_techniques`: each sentence lists every
        technique, marked `found` or not, as `predict`'s records do."""
        if self.multi_label:
            raise FramingError("article analysis needs a single-label checkpoint (this one is multi-label)")
        return analyze_article(self, text, top, format, max_chars, all_techniques)

    def contrast(
        self, texts: Sequence, top: int = 3, format: str = "auto", max_chars: Optional[int] = None
    ) -> dict[str, Any]:
        """Two or more reports of one event side by side (texts or news pages): each article's
        analysis and figures, the loaded words each uses that the others do not, and a
        plain-language verdict; see framing.contrast."""
        if self.multi_label:
            raise FramingError("contrasting articles needs a single-label checkpoint (this one is multi-label)")
        return contrast_articles(self, texts, top=top, source_format=format, max_chars=max_chars)

    def card_metadata(self) -> dict[str, Any]:
        """The YAML front matter of the checkpoint's model card (README.md), if any."""
        from huggingface_hub import metadata_load

        card = Path(self.checkpoint_dir) / "README.md" if self.checkpoint_dir else None
        if not card or not card.is_file():
            return {}
        try:
            return metadata_load(card) or {}
        except Exception:  # a malformed card header is not worth failing a load over
            return {}

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text before truncation to max_length (special tokens included)."""
        return self.encoder.token_counts(texts)

    def __call__(self, inputs: TextInput, top_k: Optional[int] = 1) -> Any:
        top_k = check_top_k(top_k)
        texts, single = as_texts(inputs)
        probabilities = self._calibrate(self._run(texts, with_words=False)[0])  # texts checked once
        results = [self.results.result(row, top_k) for row in probabilities]
        return results[0] if single else results

    @property
    def results(self) -> Results:
        """The shapes of this checkpoint's outputs (framing.results): `result`, `record`,
        `table`, `decide`, from probabilities as `predict_proba` gives them."""
        return Results(self.labels, self.multi_label, self.thresholds, self.meta.techniques)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated sentence logits, [N, C], in input order."""
        return self.forward(texts)[0]

    def forward(self, texts: Sequence[str], with_words: bool = False) -> tuple[np.ndarray, Optional[list[list[dict]]]]:
        """One pass: uncalibrated logits [N, C] and, with `with_words`, every word of each text
        with its word-head probability (unfiltered); training calibrates from both at once."""
        return self._run(as_texts(texts)[0], with_words=with_words)[:2]

    def predict_with_words(
        self, texts: Sequence[str], min_weight: Optional[float] = None
    ) -> tuple[np.ndarray, list[list[dict]]]:
        """Calibrated probabilities [N, C] and, per text, the words that carry the judgement.

        One forward pass gives both. A word is listed when the word head's probability (its
        `weight`, the highest over the word's sub-word tokens) is at least `min_weight`,
        by default the threshold tuned on dev and stored in the checkpoint. Each word is
        `{"start", "end", "text", "weight"}` with character offsets into its text. A checkpoint
        whose word head was never trained (`marks_words` false) lists no word.
        """
        probabilities, highlights, _ = self.predict_passages(texts, min_weight, with_techniques=False)
        return probabilities, highlights

    def predict_passages(
        self,
        texts: Sequence[str],
        min_weight: Optional[float] = None,
        with_techniques: bool = True,
        with_words: bool = True,
    ) -> tuple[np.ndarray, list[list[dict]], Optional[np.ndarray]]:
        """`predict_with_words` (no words without `with_words`) and, from the same forward pass,
        the calibrated technique probabilities [N, K] in the order of `technique_labels` (None
        without a technique head, or without `with_techniques`)."""
        threshold = self.word_threshold if min_weight is None else min_weight
        with_techniques = with_techniques and self.has_techniques
        logits, words, techniques = self._run(as_texts(texts)[0], with_words and self.marks_words, with_techniques)
        if words is None:  # a word head training never taught: its weights mean nothing, so no word
            words = [[] for _ in logits]
        highlights = [[w for w in per_text if w["weight"] >= threshold] for per_text in words]
        return self._calibrate(logits), highlights, self._calibrate_techniques(techniques)

    def predict_techniques(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability of each persuasion technique, [N, K] in the order of
        `technique_labels`; `techniques(texts)` gives the ones found. Needs a technique head."""
        return self._calibrate_techniques(self.forward_techniques(texts))

    def techniques(self, inputs: TextInput, top_k: Optional[int] = 1) -> Any:
        """The persuasion techniques of a text (or of each text of a list), best first, each
        `{"technique", "name", "score"}`: those at or above their thresholds (possibly none),
        or with `top_k=None` every technique, each marked `found` or not."""
        top_k = check_top_k(top_k)
        texts, single = as_texts(inputs)
        rows = [found(row, self.meta.techniques, keep_all=top_k is None) for row in self.predict_techniques(texts)]
        return rows[0] if single else rows

    @property
    def has_techniques(self) -> bool:
        """Whether the checkpoint has a persuasion technique head (older ones do not)."""
        return self.meta.techniques is not None

    @property
    def technique_labels(self) -> list[str]:
        return list(self.meta.techniques.labels) if self.meta.techniques else []

    def _calibrate_techniques(self, logits: Optional[np.ndarray]) -> Optional[np.ndarray]:
        if logits is None:
            return None
        head = self.meta.techniques
        return calibrated_probabilities(logits, head.temperature, head.logit_bias, multi_label=True)

    @cached_property
    def marks_words(self) -> bool:
        """Whether training taught the word head (marked words, with a word loss). One that was
        never trained scores words at random ("the", "on"): then no word is highlighted or
        listed anywhere (analysis, contrast, the service, the web page)."""
        return word_head_trained(self.meta, self.checkpoint_dir)

    def forward_techniques(self, texts: Sequence[str], output: str = "technique_logits") -> np.ndarray:
        """Uncalibrated technique logits [N, K], or with output "technique_features" the pooled
        features the head reads [N, 2H], through this back end (training fits from both)."""
        if not self.has_techniques:
            raise FramingError(NOT_AVAILABLE)
        return self._run(as_texts(texts)[0], False, True, output)[2]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, [N, C] in the order of `self.labels` (a single string
        counts as one text: [1, C])."""
        return self._calibrate(self.logits(texts))

    def _calibrate(self, logits: np.ndarray) -> np.ndarray:
        return calibrated_probabilities(logits, self.temperature, self.meta.logit_bias, self.multi_label)

    def _run(
        self, texts: list[str], with_words: bool, with_techniques: bool = False, technique_output="technique_logits"
    ) -> tuple[np.ndarray, Optional[list[list[dict]]], Optional[np.ndarray]]:
        """Texts are tokenized once, then run in batches sorted by length so that each batch
        is padded only to its own longest text. Returns logits [N, C] in input order, with
        `with_words` every word of each text with its word-head probability, and with
        `with_techniques` the technique logits [N, K]."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        words: Optional[list[list[dict]]] = [[] for _ in texts] if with_words else None
        techniques: Optional[np.ndarray] = None
        if not texts:
            width = len(self.technique_labels) if technique_output == "technique_logits" else 0
            return out, words, np.zeros((0, width), np.float32) if with_techniques else None
        encodings = self.encoder.encode(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        size = min(self.batch_size, self.runtime.max_batch or self.batch_size)
        batches = [order[start : start + size] for start in range(0, len(order), size)]
        padded = (check_deadline() or self.encoder.pad([encodings[i] for i in batch]) for batch in batches)
        outputs = ["logits"] + ["word_logits"] * with_words + [technique_output] * with_techniques
        for batch, results in zip(batches, self.runtime.map(padded, outputs)):
            named = dict(zip(outputs, results))
            out[batch] = named["logits"]  # [b, C]
            if with_techniques:  # [b, K] logits, or [b, 2H] features
                if techniques is None:
                    techniques = np.zeros((len(texts), named[technique_output].shape[1]), np.float32)
                techniques[batch] = named[technique_output]
            if not with_words:
                continue
            token_probs = 1.0 / (1.0 + np.exp(-named["word_logits"]))  # [b, T]
            for row, i in enumerate(batch):
                words[i] = _group_words(texts[i], encodings[i].word_ids, encodings[i].offsets, token_probs[row])
        if with_techniques and technique_output == "technique_logits" and self.lexicon is not None:
            share = self.meta.techniques.lexical_weight  # the head's logits: the encoder's and the lexicon's, mixed
            techniques = (1.0 - share) * techniques + share * self.lexicon.logits(texts)
        return out, words, techniques

    @property
    def word_threshold(self) -> float:
        return self.meta.word_threshold


def _group_words(text: str, word_ids: list, offsets: list, token_probs: np.ndarray) -> list[dict]:
    """Merge sub-word tokens into words: span from first to last token, weight = max. Punctuation,
    function words, reporting hedges and names are left out: they are never loaded (framing.words)."""
    words: dict[int, dict] = {}
    for token, word in enumerate(word_ids):
        if word is None:  # special tokens
            continue
        start, end = offsets[token]
        entry = words.setdefault(word, {"start": start, "end": end, "weight": 0.0})
        entry["end"] = end
        entry["weight"] = max(entry["weight"], float(token_probs[token]))
    grouped, title_case = [], is_title_case(text)
    for entry in words.values():
        entry["text"] = text[entry["start"] : entry["end"]]
        if any(ch.isalnum() for ch in entry["text"]) and not never_loaded(
            text, entry["start"], entry["text"], title_case
        ):
            grouped.append(
                {"start": entry["start"], "end": entry["end"], "text": entry["text"], "weight": entry["weight"]}
            )
    return grouped


def word_head_trained(meta: CheckpointMeta, folder: Optional[str | Path]) -> bool:
    """What a checkpoint records of its word head: framing.json's `word_head` where it has one,
    else its training config (a `data.words_column` and a positive `train.word_loss_weight`, whose
    default is 0). A checkpoint with neither (a model from elsewhere) is taken to mark words."""
    recorded = getattr(meta, "word_head", None)
    if recorded is not None:
        return bool(recorded)
    import yaml

    config = Path(folder) / "training_config.yaml" if folder else None
    if config is None or not config.is_file():
        return True
    try:
        raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):  # reported where the config is used (evaluate, calibrate)
        return True
    data, train = ((raw.get(key) or {}) if isinstance(raw, dict) else {} for key in ("data", "train"))
    return bool(data.get("words_column")) and float(train.get("word_loss_weight") or 0) > 0
