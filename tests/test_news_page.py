"""News pages in: the article's title and body are extracted from saved HTML (trafilatura),
boilerplate dropped, offsets into the extracted text; what is neither text nor HTML is
refused by name. The pages in examples/pages/ have the structure of real news pages."""

from __future__ import annotations

import json
import zipfile

import pytest

from framing import FramingClassifier
from framing.errors import FramingError
from framing.news_page import article_from, decode_document, is_html

from helpers import REPO

PAGES = REPO / "examples" / "pages"
# what a news page holds besides its article (navigation, captions, credits, related links,
# share buttons, newsletter and comment prompts, footers, scripts): none of it is analyzed
BOILERPLATE = [
    "Home",
    "Share on",
    "Getty",
    "RELATED",
    "Senate confirms",
    "Read more",
    "Comments",
    "Log in",
    "All rights reserved",
    "Privacy",
    "dataLayer",
    "Sign up",
    "Subscribe",
    "Photo credit",
    "Tweet",
    "Most read",
    "Leave a comment",
    "Copyright",
    "ads = true",
    "font-family",
]


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_a_wire_report_page_gives_its_title_and_paragraphs_only():
    article = article_from(page("wire_report.html"))
    assert article.source_format == "html" and article.title == "Secretary releases annual human rights report"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == article.title  # the headline is analyzed too
    assert paragraphs[1].startswith("The secretary of state released") and len(paragraphs) == 6
    assert '"We will continue to speak up for those who cannot," the secretary told' in article.text
    assert not [word for word in BOILERPLATE if word in article.text]


def test_an_opinion_page_keeps_subheads_lists_and_blockquotes_apart():
    article = article_from(page("opinion.html"))
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Another humiliating retreat"
    for kept in [
        "A pattern of weakness",
        "He apologized in Paris.",
        "He groveled in Beijing.",
        '"We will continue to speak up for those who cannot," he said, without a trace of irony.',
    ]:
        assert kept in paragraphs  # each block its own paragraph, so it ends its sentence
    assert not [word for word in BOILERPLATE if word in article.text]


def test_a_page_without_article_markup_loses_its_kicker_promos_and_embeds():
    """No <article>, a section label over the headline, an ad label, a caption as a <p>, an
    inline RELATED link, an embedded post, a newsletter prompt, a comment thread."""
    article = article_from(page("local_news.html"))
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == article.title == "City council approves new bus routes"
    assert paragraphs.count(article.title) == 1  # the headline once, though the page shows it after a kicker
    assert paragraphs[1].startswith("The city council voted 7-2 on Monday") and len(paragraphs) == 5
    for left_out in [
        "LOCAL NEWS",
        "Storm warning",
        "Sam Lee",
        "Advertisement",
        "Photo by",
        "RELATED",
        "Fare increase",
        "Huge win",
        "Click here",
        "Tags:",
        "Trending",
        "Five restaurants",
        "Be the first",
    ]:
        assert left_out not in article.text, left_out


@pytest.mark.parametrize(
    "text, promo",
    [
        ("RELATED: Fare increase delayed until 2025", True),
        ("Read more: How the report is compiled", True),
        ("Advertisement", True),
        ("Photo: John Smith/Getty Images", True),
        ("Sign up for our newsletter!", True),
        ("LOCAL NEWS", True),
        # sentences of a story that only look like one: kept
        ("Credit card debt rose 4% in May.", False),
        ("Related talks will follow next week.", False),
        ("The newsletter was sent to 400 members.", False),
        ("The senator watched the vote.", False),
        ("Subscribers " + "word " * 20, False),
    ],
)
def test_only_short_promotional_paragraphs_are_dropped(text, promo):
    from framing.news_page import _is_promo

    assert _is_promo(text) is promo


@pytest.mark.parametrize(
    "document, expected",
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        ("\ufeff  <!-- saved from url=(0042) -->\n<html lang=en>", True),
        ("<HEAD><TITLE>t</TITLE></HEAD>", True),
        ("The senator spoke. <b>Bold</b> claims followed.", False),
        ("<3 this story", False),
        ("", False),
    ],
)
def test_a_document_is_a_page_when_it_starts_like_one(document, expected):
    assert is_html(document.removeprefix("\ufeff")) is expected


def test_format_text_keeps_markup_as_words_and_auto_keeps_plain_text():
    html = page("wire_report.html")
    assert article_from(html, "text").text == html
    plain = "The senator spoke to reporters on Tuesday."
    assert article_from(plain) == article_from(plain, "text")
    assert article_from(plain).title is None and article_from(plain).source_format == "text"
    with pytest.raises(FramingError, match="format 'pdf': expected one of auto, text, html"):
        article_from(plain, "pdf")


def _zip_bytes(tmp_path) -> bytes:
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("article.txt", "text")
    return (tmp_path / "a.zip").read_bytes()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "this is a PDF document, not text or HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a PNG image, not text or HTML"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "this is a JPEG image"),
        (None, "this is a zip archive"),
        ("text".encode("utf-16"), "UTF-16 text, not UTF-8"),
        (b"caf\xe9 au lait", r"not valid UTF-8 \(invalid continuation byte at byte 3\)"),
        (b"\x00\x01\x02\x03binary", r"binary data \(NUL characters\)"),
    ],
)
def test_what_is_neither_text_nor_html_is_refused_by_name(tmp_path, data, message):
    data = _zip_bytes(tmp_path) if data is None else data
    with pytest.raises(FramingError, match=f"^story.bin: {message}"):
        decode_document(data, "story.bin")


def test_a_page_without_an_article_says_so():
    with pytest.raises(FramingError, match="^front.html: no article text found in this page"):
        article_from(
            "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav></body></html>", source="front.html"
        )


def test_analyzing_a_page_gives_its_text_and_offsets_into_it(tiny_checkpoint):
    classifier = FramingClassifier.from_pretrained(tiny_checkpoint)
    analysis = classifier.analyze(page("opinion.html"))
    text = analysis["text"]
    assert analysis["source_format"] == "html" and analysis["title"] == "Another humiliating retreat"
    assert text == article_from(page("opinion.html")).text and analysis["text_length"] == len(text)
    assert [text[s["start"] : s["end"]] for s in analysis["sentences"]] == [s["text"] for s in analysis["sentences"]]
    assert analysis["sentences"][0]["text"] == "Another humiliating retreat"
    # the page's text analyzed as plain text gives the same sentences and scores
    again = classifier.analyze(text, format="text")
    assert again["sentences"] == analysis["sentences"] and again["source_format"] == "text"


def test_the_cli_analyzes_a_saved_page_and_names_a_bad_file(tiny_checkpoint, tmp_path):
    from test_cli import cli

    done = cli("analyze", PAGES / "opinion.html", "--json", "--checkpoint", tiny_checkpoint)
    assert done.returncode == 0, done.stderr
    analysis = json.loads(done.stdout)
    assert analysis["source_format"] == "html" and "Photo credit" not in analysis["text"]
    saved = tmp_path / "page.txt"  # a page saved under another name is still a page
    saved.write_text(page("wire_report.html"))
    assert (
        json.loads(cli("analyze", saved, "--json", "--checkpoint", tiny_checkpoint).stdout)["source_format"] == "html"
    )
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n...")
    done = cli("analyze", scan, "--checkpoint", tiny_checkpoint)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().strip() == (
        f"framing: error: {scan}: this is a PDF document, not text or HTML (save the article as text or as a web page)"
    )
    empty = tmp_path / "front.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    done = cli("analyze", empty, "--checkpoint", tiny_checkpoint)
    assert done.returncode == 2 and f"{empty}: no article text found" in done.stderr.decode()


def test_http_analyze_takes_a_page_over_the_text_limit_by_its_extracted_text(tiny_checkpoint):
    from fastapi.testclient import TestClient

    from framing.server import Limits, create_app

    classifier = FramingClassifier.from_pretrained(tiny_checkpoint)
    client = TestClient(create_app(classifier, Limits(max_article_chars=3_000)))
    html = page("wire_report.html") + "<!-- " + "x" * 5_000 + " -->"  # the page is long, its article is not
    answer = client.post("/v1/analyze", json={"text": html})
    assert answer.status_code == 200 and answer.json()["source_format"] == "html"
    assert answer.json()["text"] == article_from(html).text
    as_text = client.post("/v1/analyze", json={"text": html, "format": "text"})  # markup as words: over the limit
    assert as_text.status_code == 422 and as_text.json()["error"]["message"].startswith("text: ")
    long_article = (
        "<html><body><article>"
        + "<p>The council met on Monday and voted on the budget.</p>" * 80
        + "</article></body></html>"
    )
    refused = client.post("/v1/analyze", json={"text": long_article})
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("the page's article text: ")


def test_a_page_in_its_declared_encoding_and_blocks_that_do_not_run_together():
    data = (
        "<html><head><meta charset='windows-1252'><title>Café reopens</title></head><body><article>"
        "<p>The café on Main Street reopened on Monday<br>after a two-month renovation, its owner said.</p>"
        "<blockquote><p>First quoted paragraph of the owner.</p><p>Second quoted paragraph of the owner.</p>"
        "</blockquote>"
        "<ul><li>Outer item about the menu changes<ul><li>Inner item about the prices</li></ul></li></ul>"
        "</article></body></html>"
    ).encode("cp1252")
    # an unknown declaration is read as UTF-8, as browsers do: the byte that does not fit is U+FFFD
    assert "Caf\ufffd reopens" in decode_document(data.replace(b"windows-1252", b"nonsense-charset"), "cafe.html")
    paragraphs = article_from(decode_document(data, "cafe.html")).text.split("\n\n")
    assert "The café on Main Street reopened on Monday after a two-month renovation, its owner said." in paragraphs
    assert {"First quoted paragraph of the owner.", "Second quoted paragraph of the owner."} <= set(paragraphs)
    assert paragraphs.count("Inner item about the prices") == 1 and "Outer item about the menu changes" in paragraphs


def test_extraction_past_the_time_limit_is_stopped_and_the_next_page_works():
    """Under a time limit (an HTTP request's) trafilatura runs in a child process that is
    killed at the limit: on one paragraph of 20,000 links it would take about a minute."""
    import time

    from framing.deadline import time_limit
    from framing.news_page import EXTRACTOR

    EXTRACTOR.warm()
    links = "<html><body><article><p>" + "<a href='/x'>link</a> " * 20_000 + "</p></article></body></html>"
    started = time.monotonic()
    with pytest.raises(TimeoutError), time_limit(0.5):
        article_from(links)
    assert time.monotonic() - started < 2.5  # stopped at the limit, not when the work ended
    in_process = article_from(page("local_news.html"))  # no time limit: extracted in this process
    with time_limit(60):
        assert article_from(page("local_news.html")) == in_process  # a new child, the same article


def test_the_extractor_child_ends_quietly_when_its_parent_has_gone(capfd):
    """A server stopped while the child was starting: no traceback from the child."""
    import multiprocessing

    from framing.news_page import _extract_forever

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_extract_forever, args=(child,), daemon=True)
    process.start()
    child.close()
    parent.close()  # gone before the child could say "ready"
    process.join(timeout=120)
    assert process.exitcode == 0 and "Traceback" not in capfd.readouterr().err


# Issue 49, case 1: pages that open with junk before their markup were taken for plain text by
# `analyze` and standard input, and their CSS and JavaScript scored as sentences.
STYLE = "<style>" + "body{font-family:Georgia} .nav a{color:#333;margin:0 4px}\n" * 40 + "</style>\n"
SCRIPT = "<script>" + "window.dataLayer = window.dataLayer || []; var ads = true;\n" * 40 + "</script>\n"
WARNING = (
    "Warning: Cannot modify header information - headers already sent by (output started at "
    "/var/www/site/index.php:3) in /var/www/site/header.php on line 12\n"
)
PHP_NOTICE = "<br />\n<b>Notice</b>: Undefined index: ref in <b>/srv/www/page.php</b> on line <b>4</b><br />\n"
OPENINGS = [
    STYLE,
    SCRIPT,
    WARNING,
    PHP_NOTICE,
    STYLE + SCRIPT,
    WARNING * 3 + STYLE,
    "\n\n<meta name='viewport'>\n",
    "<link rel='stylesheet' href='/site.css'>\n",
]
STORY = (
    "<div class='story'>\n<h1>City council approves new bus routes</h1>\n"
    "<p>The city council voted 7-2 on Monday to approve new bus routes across the north side of town.</p>\n"
    "<p>The mayor said the routes would start in March, after a year of public hearings.</p>\n</div>"
)


@pytest.mark.parametrize("opening", OPENINGS)
def test_a_page_that_opens_with_junk_or_code_is_a_page(opening):
    assert is_html(opening + page("wire_report.html")) and is_html(opening + STORY)


@pytest.mark.parametrize(
    "document",
    [
        "He typed <p> into the editor to start a paragraph.",
        "The site strips <script> tags from comments, the company said.\nIt also strips <style> ones.",
        "Warning: the storm will reach the coast on Tuesday.\nResidents were told to leave.",
        "An explainer" + " word" * 1_000 + " on <html> and <body> tags, far from the start.",
    ],
)
def test_text_that_names_a_tag_is_not_a_page(document):
    assert not is_html(document)


@pytest.mark.parametrize("opening", OPENINGS)
def test_analyze_and_standard_input_score_the_article_never_the_code(tiny_checkpoint, opening):
    from framing.commands.common import read_article

    classifier = FramingClassifier.from_pretrained(tiny_checkpoint)
    html = opening + page("wire_report.html")
    analysis = classifier.analyze(html)
    assert analysis["source_format"] == "html" and analysis["text"] == article_from(page("wire_report.html")).text
    assert not [word for word in BOILERPLATE + ["Warning", "Notice", "{", "viewport"] if word in analysis["text"]]
    for data in (html.encode(), (opening + STORY).encode()):  # what standard input decodes
        article = article_from(decode_document(data, "standard input"))
        assert article.source_format == "html" and "{" not in article.text and "Warning" not in article.text
    with pytest.MonkeyPatch.context() as patch:  # `framing analyze -` itself
        patch.setattr("sys.stdin", type("In", (), {"buffer": __import__("io").BytesIO(html.encode())})())
        assert read_article("-").text == analysis["text"]


# Issue 49, case 2: a page with one stray byte or a NUL was refused; browsers show it.
def test_a_page_is_decoded_as_browsers_do_and_plain_text_stays_strict():
    html = page("wire_report.html")
    stray = html.encode().replace(b"The secretary of state", b"The secretary\xff of state", 1)
    assert "The secretary\ufffd of state released" in article_from(decode_document(stray, "p.html")).text
    nul = html.encode().replace(b"The secretary of state", b"The secretary of\x00 state", 1)
    assert "The secretary of state released" in article_from(decode_document(nul, "p.html")).text
    assert (
        article_from(html.replace("The secretary of state", "The secretary of\x00 state")).text
        == article_from(html).text
    )
    declared = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'></head><body>"
        "<p>\x93A reckless gamble,\x94 the senator said of the plan on Tuesday, 10 \x80 a ticket.</p></body></html>"
    )
    assert "“A reckless gamble,” the senator said" in decode_document(declared.encode("latin-1"), "p.html")
    assert "10 € a ticket" in decode_document(declared.encode("latin-1"), "p.html")  # windows-1252, as browsers
    stale = declared.replace("\x93", "“").replace("\x94", "”").replace("\x80", "€").encode()  # UTF-8 under an old label
    assert "“A reckless gamble,” the senator said" in decode_document(stale, "p.html")
    for text in (b"The senator\xff spoke.", b"The senator\x00 spoke."):  # plain text: refused as before
        with pytest.raises(FramingError, match="^story.txt: (not valid UTF-8|binary data)"):
            decode_document(text, "story.txt")
    with pytest.raises(FramingError, match="binary data"):  # UTF-16 without its mark is not read as a page
        decode_document("<html><body><p>x</p></body></html>".encode("utf-16-le"), "p.html")
