"""Persuasion techniques: what a checkpoint's technique head records, what each technique means in
plain words, and the one sentence that explains an editorializing passage.

A technique head (framing.model) gives each passage one sigmoid probability per technique; a
technique is found when its calibrated probability reaches the threshold tuned on dev. The
definitions follow the meaning of the SemEval-2023 Task 3 annotation guidelines, rewritten for
a reader who has not seen them; a head trained on another taxonomy shows its own label names.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

NOT_AVAILABLE = "techniques: not available for this model"
OTHER = "Other_Technique"  # where techniques too rare to learn are folded


class TechniqueHead(BaseModel):
    """framing.json's `techniques`: the head's labels in output order, calibration (temperature,
    then one bias per label), each label's decision threshold, and its figures on dev."""

    model_config = ConfigDict(extra="forbid")
    labels: list[str] = Field(min_length=1)
    layers: int = Field(0, ge=0)  # encoder layers copied into the technique branch (0: none)
    hidden: int = Field(512, ge=0)  # the head's hidden units (0: linear)
    # the share of the lexical model's logits (framing.technique_lexicon) in the head's: 0, none
    lexical_weight: float = Field(0.0, ge=0.0, le=1.0)
    temperature: float = Field(1.0, gt=0)
    logit_bias: list[float] = Field(default_factory=list)
    thresholds: dict[str, float] = Field(default_factory=dict)
    folded: list[str] = Field(default_factory=list)  # rare techniques counted as OTHER
    data: Optional[str] = None  # what it was trained on
    dev: dict[str, dict[str, float]] = Field(default_factory=dict)  # label -> precision, recall, f1, support

    @model_validator(mode="after")
    def _consistent(self) -> "TechniqueHead":
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"techniques.labels: a name appears twice in {self.labels}")
        if self.logit_bias and len(self.logit_bias) != len(self.labels):
            raise ValueError(f"techniques.logit_bias has {len(self.logit_bias)} values for {len(self.labels)} labels")
        unknown = [name for name in self.thresholds if name not in self.labels]
        if unknown:
            raise ValueError(f"techniques.thresholds: {unknown[0]!r} is not one of the technique labels")
        return self

    def threshold_array(self) -> np.ndarray:
        """[K] each label's threshold (0.5 where none was tuned)."""
        return np.array([float(self.thresholds.get(label, 0.5)) for label in self.labels])


# technique -> (name a reader sees, what it does, whether particular words carry it)
DEFINITIONS: dict[str, tuple[str, str, bool]] = {
    "Loaded_Language": (
        "Loaded language",
        "words chosen for their emotional charge rather than their information",
        True,
    ),
    "Name_Calling-Labeling": (
        "Name-calling",
        "a label meant to make readers love or hate its target, in place of a description of what they did",
        True,
    ),
    "Exaggeration-Minimisation": (
        "Exaggeration or minimisation",
        "makes something larger, smaller, better or worse than the facts support",
        True,
    ),
    "Flag_Waving": ("Flag-waving", "asks for agreement in the name of a nation or group the reader belongs to", True),
    "Slogans": ("Slogan", "a short, catchy phrase that asks for agreement instead of giving reasons", True),
    "Repetition": ("Repetition", "the same word or claim said again and again so that it sticks, not proved", False),
    "Doubt": ("Doubt", "questions someone's credibility or motives instead of answering what they said", False),
    "Appeal_to_Fear-Prejudice": (
        "Appeal to fear or prejudice",
        "seeks support by stirring fear, or prejudice against a group, rather than by reasons",
        False,
    ),
    "Causal_Oversimplification": (
        "Causal oversimplification",
        "puts an outcome with many causes down to a single one",
        False,
    ),
    "Appeal_to_Authority": (
        "Appeal to authority",
        "presents a claim as true because an authority said it, not because of its evidence",
        False,
    ),
    "False_Dilemma-No_Choice": ("False dilemma", "presents two options as the only ones when there are others", False),
    "Conversation_Killer": (
        "Thought-ending phrase",
        "a stock phrase that discourages further thought or discussion",
        False,
    ),
    "Guilt_by_Association": (
        "Guilt by association",
        "discredits someone by linking them with a person or group readers already dislike",
        False,
    ),
    "Red_Herring": ("Red herring", "turns attention to an unrelated matter instead of the point at issue", False),
    "Appeal_to_Hypocrisy": (
        "Appeal to hypocrisy",
        "attacks someone as a hypocrite instead of answering their argument",
        False,
    ),
    "Obfuscation-Vagueness-Confusion": (
        "Vagueness",
        "wording left unclear on purpose, so that readers can take it as they like",
        False,
    ),
    "Whataboutism": ("Whataboutism", "answers a criticism by pointing at someone else's wrongdoing", False),
    "Straw_Man": ("Straw man", "answers a distorted version of an opponent's position, not the real one", False),
    "Appeal_to_Popularity": ("Appeal to popularity", "says a claim is right because many people agree with it", False),
    OTHER: (
        "Other persuasion technique",
        "uses one of the rarer persuasion techniques (such as a false dilemma, a slogan or a red herring)",
        False,
    ),
}


def display_name(technique: str) -> str:
    """The name a reader sees: the definition's, else the label with its underscores as spaces."""
    return DEFINITIONS[technique][0] if technique in DEFINITIONS else technique.replace("_", " ")


def found(probabilities: np.ndarray, head: TechniqueHead, keep_all: bool = False) -> list[dict[str, Any]]:
    """One passage's techniques from its calibrated probabilities [K], best first: those at or
    above their thresholds, or with `keep_all` every technique, each marked `found` or not."""
    thresholds = head.threshold_array()
    listed = []
    for i in np.argsort(-probabilities, kind="stable"):
        passes = bool(probabilities[i] >= thresholds[i])
        if passes or keep_all:
            entry = {
                "technique": head.labels[i],
                "name": display_name(head.labels[i]),
                "score": float(probabilities[i]),
            }
            listed.append({**entry, "found": passes} if keep_all else entry)
    return listed


def explain(techniques: Sequence[dict], words: Sequence[str], limit: int = 2) -> str:
    """One plain sentence per technique found (at most `limit`), the passage's marked words quoted
    beside the first technique that words carry, e.g. 'Loaded language: "bashed", "humiliating" -
    words chosen for their emotional charge rather than their information.'"""
    quoted = ", ".join(f"\u201c{word}\u201d" for word in dict.fromkeys(words))
    sentences, words_used = [], False
    for technique in [t for t in techniques if t.get("found", True)][:limit]:
        name, meaning, lexical = DEFINITIONS.get(
            technique["technique"], (display_name(technique["technique"]), "", False)
        )
        head = f"{name}: {quoted}" if lexical and quoted and not words_used else name
        words_used = words_used or head != name
        sentences.append(f"{head} \u2014 {meaning}." if meaning else f"{head}.")
    if not sentences:
        unique = list(dict.fromkeys(words))
        reason = f"the word {quoted} carries" if len(unique) == 1 else f"the words {quoted} carry"
        reason = f"{reason} the judgement" if unique else "the wording as a whole carries the judgement"
        return f"No persuasion technique passes its threshold; {reason}."
    return " ".join(sentences)


def counts(sentences: Sequence[dict]) -> Optional[dict[str, dict[str, int]]]:
    """Sentences per technique in the writer's voice and in quotes apart ({} each when none is
    found), or None when the sentences carry no techniques (a model without the head). A
    sentence listing every technique (`all_techniques`) counts those marked found."""
    if any(s.get("techniques") is None for s in sentences):
        return None
    tally: dict[str, dict[str, int]] = {"author_voice": {}, "quoted": {}}
    for sentence in sentences:
        voice = tally["quoted" if sentence["quoted"] else "author_voice"]
        for technique in sentence["techniques"]:
            if technique.get("found", True):
                voice[technique["technique"]] = voice.get(technique["technique"], 0) + 1
    return {voice: dict(sorted(found.items(), key=lambda kv: -kv[1])) for voice, found in tally.items()}
