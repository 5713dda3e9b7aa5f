"""Words that never carry a judgement by themselves, so they are never marked as loaded:

- function words ("of", "in", "as", "the", "they"): grammar, not wording;
- reporting hedges ("allegedly", "reportedly", "according"): they attribute a claim;
- names: a capitalised word inside a sentence ("Biden", "Fox", a film's title). A publisher's
  own name was marked at 0.94 on a real page; a name tells who, not how.

The lists are written here rather than taken from scikit-learn's stop words because predicting
needs no scikit-learn, and because that list holds words that can carry slant ("only", "even",
"very", "few"), which stay markable.
"""

from __future__ import annotations

import re

# the last line: contractions, and their pieces where a tokenizer splits at the apostrophe
FUNCTION_WORDS = frozenset(
    """
a an the this that these those such
i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves who whom whose which what whoever whatever
be am is are was were been being have has had having do does did done doing will would shall should can could
may might must ought
and or but nor so yet for if then than because while whereas although though unless until since as whether
of in on at by to from with within without into onto upon about above below over under between among through
throughout during before after against along across around behind beyond near toward towards via per off out up
down amid amidst despite except inside outside past till unto versus
not no n't 's 'll 're 've 'd s t d ll re ve m
there here where when why how also there's it's
""".split()
)

HEDGES = frozenset(
    {
        "allegedly",
        "reportedly",
        "purportedly",
        "supposedly",
        "apparently",
        "according",
        "reported",
        "alleged",
        "claimed",
        "said",
        "says",
        "say",
        "stated",
        "told",
    }
)

SENTENCE_END = re.compile(r"[.!?:;]['\"”’)\]]*\s*$")


def never_loaded(text: str, start: int, word: str, title_case: bool) -> bool:
    """Whether `word`, found at `start` in `text`, is a function word, a hedge or a name.
    `title_case`: the text capitalises most of its words (a headline), so a capital tells nothing."""
    lower = word.lower()
    if lower in FUNCTION_WORDS or lower in HEDGES:
        return True
    if title_case or not word[:1].isupper():
        return False
    before = text[:start].rstrip("\"“‘'([ \t\n")
    return bool(before) and not SENTENCE_END.search(before + " ")  # a capital inside a sentence: a name


def is_title_case(text: str) -> bool:
    """At least four fifths of the text's words of four letters or more start with a capital (a
    sentence that names a few people or a film stays below it)."""
    words = re.findall(r"[^\W\d_]{4,}", text)
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
