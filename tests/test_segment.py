import time

import pytest

from framing.deadline import time_limit
from framing.segment import Coverage, paragraph_spans, quotation_spans, sentence_spans

ARTICLE = (
    'Sen. Elizabeth Warren said the U.S. economy was "a rigged game." Critics disagreed — loudly.  '
    "The plan, per Dr. Smith, costs $3.5 billion.\n\nNew paragraph here! Is it? Yes."
)


def texts(text):
    return [text[a:b] for a, b in sentence_spans(text)]


def test_news_abbreviations_do_not_split_sentences():
    assert texts(ARTICLE) == [
        'Sen. Elizabeth Warren said the U.S. economy was "a rigged game."',
        "Critics disagreed — loudly.",
        "The plan, per Dr. Smith, costs $3.5 billion.",
        "New paragraph here!",
        "Is it?",
        "Yes.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        ARTICLE,
        "  leading and trailing  ",
        "One.\n\n\n\nTwo.",
        "no final stop",
        "Repeated. Repeated. Repeated.",
        "“Curly,” she said. ‘Single’ too.",
        "a\nb\n\nc",
    ],
)
def test_offsets_slice_the_original_exactly(text):
    spans = sentence_spans(text)
    assert spans, text
    for (a, b), (c, _) in zip(spans, spans[1:] + [(len(text), len(text))]):
        assert text[a:b] == text[a:b].strip() and a < b <= c
    # everything outside the spans is whitespace
    covered = set(i for a, b in spans for i in range(a, b))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_blank_text_has_no_sentences():
    assert sentence_spans("  \n\n ") == []


def test_straight_and_curly_quotes():
    text = 'He said "this is a disgrace" and she said “shameful” later.'
    quoted = [text[a:b] for a, b in quotation_spans(text)]
    assert quoted == ['"this is a disgrace"', "“shameful”"]


def test_apostrophes_are_not_quotes():
    text = "The senator’s plan isn’t ‘radical’ at all."
    assert [text[a:b] for a, b in quotation_spans(text)] == ["‘radical’"]


def test_open_quote_runs_to_the_end_of_its_paragraph():
    text = "“This is a continuing quote that never closes.\n\nNext paragraph."
    [(a, b)] = quotation_spans(text)
    assert text[a:b] == "“This is a continuing quote that never closes."


def test_overlap_counts_covered_characters():
    coverage = Coverage([(0, 7), (10, 12), (20, 30)])
    assert coverage.overlap((5, 15)) == 4
    assert [coverage.overlap(span) for span in [(0, 30), (7, 10), (12, 20), (25, 40), (30, 31)]] == [19, 0, 0, 5, 0]
    assert Coverage([]).overlap((0, 10)) == 0


@pytest.mark.parametrize(
    "text",
    [
        "‘Tis the season. The mayor's plan is a disgrace.",
        "Rock of the ‘90s is back, and the ‘em-versus-us mood with it.",
        "He said he was ‘right all along. The plan is absurd.",
    ],
)
def test_an_apostrophe_typeset_as_an_opening_quote_opens_no_quote(text):
    assert quotation_spans(text) == []


def test_single_quotes_that_close_are_still_quotes():
    text = "The minister called it ‘a reckless gamble’ on Tuesday."
    ((start, end),) = quotation_spans(text)
    assert text[start:end] == "‘a reckless gamble’"


# Issue 25, case 2: one definition of a paragraph break for the splitter and the quote finder.
BREAKS = [
    "\n\n",
    "\r\n\r\n",
    "\r\r",
    "\n \n",
    "\r\n \t\r\n",
    "\n\u00a0\n",
    "\u2029",
    "\u2028\u2028",
    "\x85\x85",
    "\n\n\n \n",
    "\f\f",
]


@pytest.mark.parametrize("brk", BREAKS)
def test_an_open_quote_stops_at_every_kind_of_paragraph_break(brk):
    text = f"“An open quote that never closes.{brk}The writer calls it a disgrace."
    [(a, b)] = quotation_spans(text)
    assert text[a:b] == "“An open quote that never closes."
    assert texts(text) == ["“An open quote that never closes.", "The writer calls it a disgrace."]
    assert len(paragraph_spans(text)) == 2


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", " \n  "])
def test_a_single_line_break_is_not_a_paragraph_break(brk):
    text = f"“A quote that goes on{brk}on the next line,” she said."
    [(a, b)] = quotation_spans(text)
    assert text[a:b].endswith("”")
    assert len(paragraph_spans(text)) == 1


@pytest.mark.parametrize(
    "text",
    ["‘a ’b " * 10_000, "“x " * 20_000, '"' + "word " * 20_000, "‘" * 60_000, " " * 60_000 + "\n", "a." * 30_000],
)
def test_segmenting_hostile_text_is_fast(text):
    # Issue 25, case 4: quadratic in the old quote finder (about a minute for the first one).
    started = time.perf_counter()
    quotation_spans(text)
    sentence_spans(text)
    assert time.perf_counter() - started < 5


def test_segmenting_stops_at_the_deadline():
    text = "A sentence here. " * 5 + "\n\n"
    with time_limit(0.0), pytest.raises(TimeoutError):
        sentence_spans(text * 100)
    with time_limit(0.0), pytest.raises(TimeoutError):
        quotation_spans(text * 100)


# Issue 49, case 4: sentencex ended a sentence after a title with a prefix ("then-Rep.") and
# after a.m./p.m. before a name; an abbreviation that ends a sentence still ends it.
@pytest.mark.parametrize(
    "text",
    [
        "The bill was backed by then-Rep. Liz Cheney and others.",
        "Backed by then-Gov. Andrew Cuomo, it passed.",
        "It was signed by then-Sen. Barack Obama in 2006.",
        "Then-Lt. Gov. Dan Patrick spoke first.",
        "A letter from ex-Sen. Al Franken was read.",
        "The then-U.S. ambassador declined to comment.",
        "The polls closed at 8 p.m. Tuesday across the state.",
        "Voting ended at 10 p.m. Eastern time.",
        "It was 5 p.m. ET when the count began.",
        "Rep. Jim Jordan, Gen. Mark Milley, Col. Sam Jones, Sgt. Ann Lee and Dr. Jill Smith met.",
        "Martin Luther King Jr. said it on St. Charles Ave. in the U.S. capital.",
    ],
)
def test_abbreviations_inside_a_sentence_do_not_end_it(text):
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "The rally started at 9 a.m. The crowd grew by noon.",
            ["The rally started at 9 a.m.", "The crowd grew by noon."],
        ),
        ("He moved to the U.S. The family followed.", ["He moved to the U.S.", "The family followed."]),
        ("Rep. Ocasio-Cortez spoke. Sen. Warren agreed.", ["Rep. Ocasio-Cortez spoke.", "Sen. Warren agreed."]),
    ],
)
def test_abbreviations_that_end_a_sentence_still_end_it(text, expected):
    assert texts(text) == expected
