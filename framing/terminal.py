"""The terminal view of an article's analysis (`framing analyze`): labels, colours and marked words."""

from __future__ import annotations

from framing.techniques import NOT_AVAILABLE, display_name


def render_analysis(analysis: dict, color: bool) -> str:
    """Terminal view: each sentence on its own line with its label; loaded words in bold
    (or [[brackets]] without colour); editorializing in red, quoted opinion in magenta."""
    text = analysis["text"]
    style = (lambda code, s: f"\033[{code}m{s}\033[0m") if color else (lambda code, s: s)
    flag = analysis["flag_label"]
    lines = []
    for sentence in analysis["sentences"]:
        pieces, cursor = [], sentence["start"]
        for word in sentence["highlights"]:
            pieces.append(text[cursor : word["start"]])
            pieces.append(style("1;4", word["text"]) if color else f"[[{word['text']}]]")
            cursor = word["end"]
        pieces.append(text[cursor : sentence["end"]])
        body = " ".join("".join(pieces).split())
        p = sentence["scores"][flag]
        if sentence["label"] == flag:
            tag = f"{'QUOTED OPINION' if sentence['quoted'] else flag.upper()} {p:.0%}"
            lines.append(style("35" if sentence["quoted"] else "31", f"[{tag}] ") + body)
            if sentence.get("explanation"):
                lines.append(style("2", "    " + sentence["explanation"] + _probabilities(sentence["techniques"])))
        else:  # its own label's probability: with three labels or more, not 1 - p
            lines.append(style("2", f"[{sentence['label']} {sentence['score']:.0%}] ") + body)
    if not analysis.get("marks_words", True):
        lines += ["", "(no words marked: this model was trained without marked words)"]
    if not analysis.get("techniques_available", False):
        lines += ["", f"({NOT_AVAILABLE})"]
    summary = analysis["summary"]
    lines += [
        "",
        f"{summary['sentences']} sentences; {summary['editorializing_sentences']} editorializing "
        f"({summary['editorializing_share']:.0%}; {summary['editorializing_share_by_length']:.0%} by length): "
        f"{summary['author_voice_editorializing']} in the writer's voice, "
        f"{summary['quoted_editorializing']} in quotes; mean probability {summary['mean_probability']:.2f}",
    ]
    lines += _technique_summary(summary.get("techniques"))
    return "\n".join(lines)


def _probabilities(techniques: list[dict]) -> str:
    """The techniques found with their probabilities, after the explanation: ' (loaded language 83%)'."""
    listed = ", ".join(f"{t['name'].lower()} {t['score']:.0%}" for t in techniques)
    return f" ({listed})" if listed else ""


def _technique_summary(counts) -> list[str]:
    if counts is None:
        return []
    lines = []
    for voice, heading in (("author_voice", "in the writer's voice"), ("quoted", "in quotes")):
        listed = ", ".join(f"{display_name(name).lower()} {n}" for name, n in counts[voice].items())
        lines.append(f"techniques {heading}: {listed or 'none found'}")
    return lines
