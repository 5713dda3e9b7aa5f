"""Issue 49, case 5: a page's structure kept. Story text outside <p> kept; <br><br> and <pre>
lines as paragraphs (so "ADVERTISEMENT" and "RELATED: ..." drop out instead of gluing onto a
sentence); a <blockquote> is quoted speech, never the writer's voice (in the analysis and in a
contrast); a page saved as MHTML read as the page inside; a photo credit dropped, a sentence
naming Getty Images kept. And no page that trafilatura can read is refused (JSON-LD only, a
table layout, XHTML declaring its encoding in its <?xml?> line), no markup scored as text."""

from __future__ import annotations

import base64
import json
import quopri
import re

import pytest
from test_page_story import FIXTURES, fixture, paragraphs

from framing.article import analyze_article
from framing.contrast import contrast_articles
from framing.errors import FramingError
from framing.news_page import article_from, decode_document, is_html
from framing.page_text import is_credit, is_promo

LOADED = {"shameful", "reckless", "disappointing", "hit"}


class MarksLoadedWords:
    """A classifier that flags a sentence holding a word of LOADED and marks those words: the
    analysis around it, not a model, is what these tests look at."""

    labels = ("neutral", "editorializing")
    flag_label = "editorializing"
    max_length = 512
    marks_words = True
    has_techniques = False

    def predict_passages(self, texts):
        return (*self.predict_with_words(texts), None)

    def predict_with_words(self, texts):
        import numpy as np

        words = [
            [
                {"start": m.start(), "end": m.end(), "text": m.group(), "weight": 0.9}
                for m in re.finditer(r"\w+", text)
                if m.group().lower() in LOADED
            ]
            for text in texts
        ]
        return np.array([[0.1, 0.9] if found else [0.9, 0.1] for found in words]), words

    def token_counts(self, texts):
        return [len(text.split()) for text in texts]

    @property
    def results(self):
        import numpy as np

        from framing.results import Results

        return Results(list(self.labels), False, np.full(len(self.labels), 0.5))

    def analyze(self, document, top=3, format="auto", max_chars=None):
        return analyze_article(self, document, top, format, max_chars)


def test_story_text_outside_paragraphs_is_kept():
    found = paragraphs(fixture("loose_structure.html"))
    assert found[1] == (
        "Ferry service between Port Allen and Grand Island will resume on Monday, three weeks after a "
        "cracked hull took the only boat out of service, the county said Thursday."
    )  # straight after the <h1>
    assert (
        "About 1,100 commuters used the ferry each weekday before the shutdown, according to county figures." in found
    )
    assert "Home" not in " ".join(found)


def test_br_br_and_pre_lines_are_paragraphs_and_their_promos_drop_out():
    found = paragraphs(fixture("loose_structure.html"))
    for kept in (
        "During the shutdown, drivers took a 45-minute detour over the Route 9 bridge.",
        "County commissioner Ray Ortiz said a second boat would be leased by the fall.",
        "The ferry's schedule will be the same as before the shutdown.",
        "The county will post schedule changes online.",
        "Tickets bought before the shutdown will be honored through June.",  # a line wrapped in a sentence
        "A public meeting on a new ferry is planned for August.",
    ):
        assert kept in found, kept
    assert not [p for p in found if "ADVERTISEMENT" in p or "RELATED" in p or "budget shortfall" in p]


def test_a_statement_in_a_blockquote_is_quoted_speech():
    article = article_from(fixture("blockquote_statement.html"))
    quoted = [article.text[a:b] for a, b in article.quotes]
    assert quoted == [
        (
            "This audit is a shameful, politically motivated hit job by a comptroller who has never once "
            "set foot in our housing office."
        ),
        (
            "Every dollar went to families in need, and the reckless claims in this report insult the "
            "workers who serve them."
        ),
    ]
    # a blockquote that carries its own quotation marks is quoted by them: the rest is the writer's
    assert not [q for q in quoted if "spokesperson" in q]
    analysis = MarksLoadedWords().analyze(article)
    by_text = {s["text"]: s for s in analysis["sentences"]}
    for sentence in (s for s in analysis["sentences"] if s["text"] in " ".join(quoted)):
        assert sentence["quoted"] and all(word["quoted"] for word in sentence["highlights"])
    spokesperson = next(s for t, s in by_text.items() if "spokesperson" in t)
    assert not spokesperson["quoted"] and [w["quoted"] for w in spokesperson["highlights"]] == [False]
    assert analysis["summary"]["author_voice_editorializing"] == 1  # "disappointing", the writer's paraphrase
    assert analysis["summary"]["quoted_editorializing"] == 2


def test_a_contrast_does_not_blame_the_article_that_quotes_a_statement():
    plain = (
        "<html><body><article><h1>Audit finds missing grant files</h1><p>The state comptroller said on Monday "
        "that the city's housing office could not account for $1.2 million in grants.</p><p>The mayor "
        "disputed the findings in a statement.</p></article></body></html>"
    )
    comparison = contrast_articles(MarksLoadedWords(), [article_from(fixture("blockquote_statement.html")), plain])
    quoting = comparison["articles"][0]
    words = {w["word"].lower(): w for w in quoting["loaded_words"]}
    assert words["shameful"]["quoted"] and words["reckless"]["quoted"] and words["hit"]["quoted"]
    assert not words["disappointing"]["quoted"]


def test_the_analysis_offsets_stay_those_of_the_text():
    article = article_from(fixture("blockquote_statement.html"))
    analysis = MarksLoadedWords().analyze(article)
    text = analysis["text"]
    assert text == article.text
    assert all(text[s["start"] : s["end"]] == s["text"] for s in analysis["sentences"])
    assert all(text[w["start"] : w["end"]] == w["text"] for s in analysis["sentences"] for w in s["highlights"])


def _mhtml(html: str, encoding: str) -> bytes:
    body = quopri.encodestring(html.encode()) if encoding == "quoted-printable" else base64.encodebytes(html.encode())
    return (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; type="text/html"; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
        + encoding.encode()
        + b"\r\n\r\n"
        + body
        + b"\r\n--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b"iVBORw0KGgo=\r\n--b1--\r\n"
    )


def test_a_page_saved_as_mhtml_is_read_as_the_page_inside():
    saved = (FIXTURES / "saved_page.mhtml").read_bytes()  # Chrome's "Webpage, Single File", quoted-printable
    article = article_from(decode_document(saved, "page.mhtml"))
    assert article.title == "School board delays vote on later start times"
    assert "Superintendent Maria Gómez told the board" in article.text
    assert not re.search(r"=[0-9A-F]{2}|=\n|MultipartBoundary|Content-Type|iVBOR", article.text)
    html = fixture("blockquote_statement.html")
    expected = article_from(html)
    for encoding in ("quoted-printable", "base64"):
        assert article_from(decode_document(_mhtml(html, encoding), "page.mht")) == expected
        assert is_html(_mhtml(html, encoding).decode()) and article_from(_mhtml(html, encoding).decode()) == expected
    no_page = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: image/png\r\n\r\nx\r\n--b--\r\n"
    )
    with pytest.raises(FramingError, match=r"^old.mht: a saved web archive \(MHTML\) without a web page in it$"):
        decode_document(no_page, "old.mht")


def test_the_cli_analyzes_a_saved_mhtml_file(tiny_checkpoint):
    from test_cli import cli

    done = cli("analyze", FIXTURES / "saved_page.mhtml", "--json", "--checkpoint", tiny_checkpoint)
    assert done.returncode == 0, done.stderr
    analysis = json.loads(done.stdout)
    assert analysis["source_format"] == "html" and analysis["title"] == "School board delays vote on later start times"


@pytest.mark.parametrize(
    "text",
    [
        "Photo: John Smith/Getty Images",
        "John Smith/Getty Images",
        "(AP Photo/Rogelio V. Solis)",
        "Getty Images",
        "Jane Doe / AFP via Getty Images",
        "Commuters waited at the dock. Photo: Dana Kim/Getty Images",
        "The secretary speaks in Washington on Tuesday. (Photo: John Smith/Getty Images)",
        "Firefighters work the scene on Route 9. (AP Photo/Ted Shaffrey, File)",
        "Reuters/Brian Snyder",
    ],
)
def test_a_photo_credit_is_dropped(text):
    assert is_credit(text) or is_promo(text)


@pytest.mark.parametrize(
    "text",
    [
        "Getty Images said it had removed its photo of the damaged hull.",
        "An AP photo of the crack was shown at Tuesday's commission meeting.",
        "The agency sold the picture to Getty Images.",
        "The photo, distributed by AP, showed the crowd at the gate.",
        "Reuters first reported the sale on Monday.",
        "Reuters/Ipsos polling showed a drop in support.",
    ],
)
def test_a_sentence_that_names_getty_or_an_ap_photo_stays(text):
    assert not is_credit(text) and not is_promo(text)


def test_credits_drop_out_of_a_page_and_sentences_naming_agencies_stay():
    found = paragraphs(fixture("loose_structure.html"))
    assert "Getty Images said it had removed its photo of the damaged hull." in found
    assert "An AP photo of the crack was shown at Tuesday's commission meeting." in found
    assert not [p for p in found if "Rogelio" in p or "Dana Kim" in p]


@pytest.mark.parametrize(
    "name, title, opening",
    [
        (
            "jsonld_only.html",
            "Teachers union, governor reach deal to avert strike",
            "The state's largest teachers union and the governor reached a tentative agreement late Sunday",
        ),
        ("table_layout.html", "County fair opens with record entries", "The Harlan County Fair opened Wednesday"),
        ("xhtml_latin1.xhtml", "Café owners sue over street closure", "Four café owners on Mühlenstraße have sued"),
    ],
)
def test_pages_trafilatura_can_read_are_never_refused(name, title, opening):
    article = article_from(decode_document((FIXTURES / name).read_bytes(), name))
    found = article.text.split("\n\n")
    assert article.title == found[0] == title and found[1].startswith(opening)
    assert "\ufffd" not in article.text and "Classifieds" not in article.text and "Copyright" not in article.text
    assert "By Ruth Ann Keller" not in article.text and "JavaScript" not in article.text


def test_markup_is_never_scored_as_text():
    found = paragraphs(fixture("escaped_markup.html"))
    assert found[1] == (
        "The public library will open on Sundays from noon to 5 p.m. starting in June, the library "
        "board decided on Thursday."
    )
    assert not [p for p in found if re.search(r"[<>]|&lt;|ad-slot", p)] and len(found) == 4
    inline = (
        "<html><body><article><h1>Budget passes</h1><p>The council passed the budget on a 5-2 vote after a "
        "long debate over the cost of the new library.<script>var ads = window.ads || []; ads.push({slot: 3});"
        "</script></p><p>if (window.ads) { ads.render(); } function track() { return 1; }</p></article></body></html>"
    )
    assert not [p for p in paragraphs(inline) if re.search(r"[{};]|window\.", p)]


def test_quotations_by_marks_and_by_the_page_are_one_coverage():
    from framing.segment import Coverage, merged_spans

    spans = merged_spans([(5, 10), (0, 3), (8, 12), (12, 14)])
    assert spans == [(0, 3), (5, 14)] and Coverage(spans).overlap((0, 20)) == 12
