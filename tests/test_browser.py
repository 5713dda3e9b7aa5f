"""End to end: the web page in headless Chromium against a live server on loopback."""

import contextlib
import re
import shutil
import socket
import threading
import time

import pytest

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTICLE = (
    "The senator spoke to reporters on Tuesday about the annual budget.\n\n"
    "The senator's apologist foreign policy was another humiliating retreat. "
    "The vote is scheduled for May."
)


# Characters outside the Basic Multilingual Plane (two UTF-16 units each in JavaScript, one code
# point in the API) before and inside the sentences: any drift shifts every later slice.
ASTRAL = (
    "🙂📰 The senator spoke to reporters on Tuesday about the annual budget.\n\n"
    "𝐍𝐨𝐭𝐞 😡: The senator's apologist foreign policy was another humiliating retreat. "
    "The vote is scheduled for May 🗳️."
)
# The view's text, sentence by sentence, without the [label] tags the page appends.
SENTENCE_TEXTS = """els => els.map(e => Array.from(e.childNodes)
    .filter(n => !(n.classList && n.classList.contains('tag'))).map(n => n.textContent).join(''))"""


@contextlib.contextmanager
def live_server(classifier, allow_origins=()):
    """`framing serve` for `classifier` on a free loopback port, in a thread: its URL."""
    import uvicorn

    from framing.server import create_app

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(classifier, allow_origins=allow_origins), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server_url(shipped):
    with live_server(shipped) as url:
        yield url


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_paste_analyze_and_see_highlights(server_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(server_url + "/")
            page.fill("#article", ARTICLE)
            page.keyboard.press("Tab")  # the button is reachable by keyboard ...
            page.keyboard.press("Enter")  # ... and works from it
            page.wait_for_selector("#results:not([hidden])", timeout=30_000)
            flagged = page.locator("#article-view .sentence.editorializing")
            assert flagged.count() == 1
            assert "apologist foreign policy" in flagged.first.inner_text()
            words = page.locator("#article-view .sentence.editorializing mark.word").all_inner_texts()
            assert "apologist" in words and "humiliating" in words
            assert page.locator("#article-view .sentence.neutral mark.word").count() == 0
            assert "Sentences" in page.locator("#summary").inner_text()
            # text labels, not only colour, carry the judgement
            assert "editorializing" in flagged.first.get_attribute("aria-label")
            shot = tmp_path / "analysis.png"  # kept under the test's temp folder for a person to look at
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_marks_are_the_models_words_after_an_emoji(server_url, shipped):
    """The API's offsets count code points, the page's strings UTF-16 units: the page converts,
    so with emoji before and inside sentences each sentence and each mark shows the model's text."""
    from playwright.sync_api import sync_playwright

    expected = shipped.analyze(ASTRAL)
    assert any(s["highlights"] for s in expected["sentences"]), "the check needs marked words"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(server_url + "/")
            page.fill("#article", ASTRAL)
            page.click("#analyze")
            page.wait_for_selector("#results:not([hidden])", timeout=30_000)
            assert page.locator("#article-view .sentence").evaluate_all(SENTENCE_TEXTS) == [
                s["text"] for s in expected["sentences"]
            ]
            assert page.locator("#article-view mark.word").evaluate_all("els => els.map(e => e.textContent)") == [
                w["text"] for s in expected["sentences"] for w in s["highlights"]
            ]
            shown = page.locator("#article-view").evaluate(
                "v => Array.from(v.querySelectorAll('.tag'))"
                ".reduce((t, tag) => t.replace(tag.textContent, ''), v.textContent)"
            )
            assert shown == ASTRAL  # nothing lost or repeated between sentences
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_api_docs_page_renders_offline(server_url):
    """/docs loads Swagger UI from the package, not a CDN: with every other host blocked it
    still lists the endpoints."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            elsewhere = []

            def only_loopback(route):
                if route.request.url.startswith(server_url):
                    return route.continue_()
                elsewhere.append(route.request.url)
                return route.abort()

            page.route("**/*", only_loopback)
            page.goto(server_url + "/docs")
            page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert "/v1/predict" in paths and "/v1/analyze" in paths
            assert elsewhere == []
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_two_reports_side_by_side(server_url, shipped, tmp_path):
    """Paste a wire report and an opinion piece (saved pages' HTML): the verdict names the
    opinion piece, both columns carry the single view's marks, the figures sit side by side."""
    from playwright.sync_api import sync_playwright
    from test_news_page import page as news_page

    report, opinion = news_page("wire_report.html"), news_page("opinion.html")
    expected = shipped.contrast([report, opinion])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(server_url + "/")
            page.fill("#article-a", report)
            page.fill("#article-b", opinion)
            page.click("#contrast")
            page.wait_for_selector("#contrast-results:not([hidden])", timeout=30_000)
            assert page.inner_text("#verdict") == expected["verdict"]
            assert "not a fact-check" in page.inner_text("#verdict-note")
            columns = page.locator("#contrast-columns .column")
            assert columns.count() == 2
            for index, article in enumerate(expected["articles"]):
                column = columns.nth(index)
                assert column.locator(".sentence").evaluate_all(SENTENCE_TEXTS) == [
                    s["text"] for s in article["analysis"]["sentences"]
                ]
                assert column.locator("mark.word").evaluate_all("els => els.map(e => e.textContent)") == [
                    w["text"] for s in article["analysis"]["sentences"] for w in s["highlights"]
                ]
            assert columns.nth(0).locator(".sentence.editorializing").count() == 0
            assert "apologist" in columns.nth(1).locator("mark.word").all_inner_texts()
            header = page.locator("#contrast-figures tr").first.locator("th").all_inner_texts()
            assert header[1:] == [f"Article {a['index'] + 1}: {a['title']}" for a in expected["articles"]]
            assert "apologist" in page.locator("#contrast-figures td.only-here").nth(1).inner_text()
            shot = tmp_path / "contrast.png"
            page.locator("#contrast-section").screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_the_page_tags_each_sentence_with_its_own_label_and_says_when_no_word_is_marked(tiny_checkpoint):
    """A model of three labels trained without marked words (its answer stood in for here): a
    sentence not flagged is tagged with its label, never "neutral", and the page says why no
    word is marked."""
    import json

    from playwright.sync_api import sync_playwright

    from framing import FramingClassifier

    from helpers import three_label_answer

    text = "Officials said so. It is a disgrace."
    answer = three_label_answer(text)
    with live_server(FramingClassifier.from_pretrained(tiny_checkpoint)) as server_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.route(
                "**/v1/analyze",
                lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(answer)),
            )
            page.goto(server_url + "/")
            page.fill("#article", text)
            page.click("#analyze")
            page.wait_for_selector("#results:not([hidden])", timeout=30_000)
            assert page.locator("#article-view .tag").all_inner_texts() == ["[factual]", "[▌ editorializing 70%]"]
            assert "trained without marked words" in page.inner_text("#status")
        finally:
            browser.close()


def every_technique(checkpoint):
    """The tiny checkpoint with a technique head, made deterministic for the page's tests: the
    random model scores every sentence near 0.5, so a bias on the flag label makes each one
    editorializing, and thresholds of 0 make every technique found (each with its probability)."""
    from framing import FramingClassifier

    classifier = FramingClassifier.from_pretrained(checkpoint)
    head = classifier.meta.techniques
    assert head is not None and head.labels == ["Loaded_Language", "Doubt", "Other_Technique"]
    classifier.meta = classifier.meta.model_copy(
        update={
            "logit_bias": [4.0 if label == classifier.flag_label else -4.0 for label in classifier.labels],
            "techniques": head.model_copy(update={"thresholds": {label: 0.0 for label in head.labels}}),
        }
    )
    return classifier


def shows_none_found(page, classifier, index: int, target, tip) -> None:
    """With no technique found (thresholds out of reach, same server), the tooltip says so."""
    from playwright.sync_api import expect

    head = classifier.meta.techniques
    classifier.meta.techniques = head.model_copy(update={"thresholds": {label: 1.0 for label in head.labels}})
    none = classifier.analyze(ARTICLE)["sentences"][index]
    assert none["techniques"] == [] and none["explanation"].startswith("No persuasion technique")
    page.click("#analyze")
    page.wait_for_selector("#status:has-text('Done')", timeout=30_000)
    target.hover()
    expect(tip).to_be_visible()
    assert tip.locator(".tip-none").inner_text() == "no persuasion technique found"
    assert tip.locator(".tip-techniques").count() == 0
    assert tip.locator(".tip-explanation").inner_text() == none["explanation"]


def shown_percent(score: float) -> str:
    """A probability as the page writes it (JavaScript's Math.round: halves up)."""
    return f"{int(score * 100 + 0.5)}%"


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_hovering_a_sentence_shows_its_techniques_and_the_explanation(technique_checkpoint, tmp_path):
    """A model with a technique head: hovering an editorializing sentence (or reaching it with
    Tab) shows each technique found with its probability, and the plain explanation; the summary
    counts them in the writer's voice and in quotes; a sentence without one says so."""
    from playwright.sync_api import expect, sync_playwright

    from framing.techniques import NOT_AVAILABLE

    classifier = every_technique(technique_checkpoint)
    expected = classifier.analyze(ARTICLE)
    assert expected["techniques_available"] is True
    sentence = next(s for s in expected["sentences"] if "apologist" in s["text"])
    assert sentence["label"] == expected["flag_label"] and sentence["techniques"] and sentence["explanation"]
    lines = [f"{t['name']} {shown_percent(t['score'])}" for t in sentence["techniques"]]
    with live_server(classifier) as server_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(server_url + "/")
            page.fill("#article", ARTICLE)
            page.click("#analyze")
            page.wait_for_selector("#results:not([hidden])", timeout=30_000)
            tip = page.locator("#sentence-tip")
            expect(tip).to_be_hidden()
            target = page.locator(f"#article-view .sentence.editorializing[data-index='{sentence['index']}']")
            target.hover()
            expect(tip).to_be_visible()
            assert tip.locator(".tip-techniques li").all_inner_texts() == lines  # e.g. "Loaded language 83%"
            assert len(lines) == 3 and all(
                re.fullmatch(r"(Loaded language|Doubt|Other persuasion technique) \d+%", x) for x in lines
            )
            assert tip.locator(".tip-explanation").inner_text() == sentence["explanation"]
            assert tip.locator(".tip-label").inner_text().startswith("editorializing ")
            assert target.get_attribute("aria-describedby") == "sentence-tip"
            box, line = tip.bounding_box(), target.bounding_box()
            assert box["y"] >= line["y"] + line["height"] - 1  # under the sentence, not over it
            page.screenshot(path=str(tmp_path / "techniques.png"))
            page.mouse.move(5, 5)
            expect(tip).to_be_hidden()
            # the keyboard reaches the same tooltip: Tab from the button to each sentence in turn
            page.focus("#analyze")
            for _ in range(sentence["index"] + 1):
                page.keyboard.press("Tab")
            expect(tip).to_be_visible()
            assert page.evaluate("document.activeElement.dataset.index") == str(sentence["index"])
            assert tip.locator(".tip-explanation").inner_text() == sentence["explanation"]
            page.keyboard.press("Escape")
            expect(tip).to_be_hidden()
            # the summary counts each technique in the writer's voice and in quotes
            summary = page.inner_text("#summary")
            assert "Persuasion techniques in the writer's voice" in summary and NOT_AVAILABLE not in summary
            names = {t["technique"]: t["name"] for s in expected["sentences"] for t in s["techniques"]}
            for label, count in expected["summary"]["techniques"]["author_voice"].items():
                assert f"{names[label]} ({count} sentence" in summary
            shows_none_found(page, classifier, sentence["index"], target, tip)
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_a_model_without_a_technique_head_says_so_once(without_techniques):
    """A model without a technique head: the summary says so once, and no tooltip claims that a
    sentence has no technique."""
    from playwright.sync_api import expect, sync_playwright

    from framing.techniques import NOT_AVAILABLE

    assert without_techniques.analyze(ARTICLE)["techniques_available"] is False
    with live_server(without_techniques) as server_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(server_url + "/")
            page.fill("#article", ARTICLE)
            page.click("#analyze")
            page.wait_for_selector("#results:not([hidden])", timeout=30_000)
            assert NOT_AVAILABLE in page.inner_text("#summary")
            page.locator("#article-view .sentence.editorializing").first.hover()
            assert page.inner_text("body").count(NOT_AVAILABLE) == 1
            expect(page.locator("#sentence-tip")).to_be_hidden()
            assert "no persuasion technique found" not in page.inner_text("body")
        finally:
            browser.close()
