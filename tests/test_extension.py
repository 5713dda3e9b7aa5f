"""End to end: the unpacked browser extension (extension/) in Chromium, against a framing
server on loopback that allows only the extension's origin, on local news pages."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest
from test_browser import CHROMIUM, every_technique, live_server, shown_percent
from test_cli import cli
from test_news_page import PAGES

from framing.browser_extension import EXTENSION_DIR, EXTENSION_ID, extension_files

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)"),
]
ORIGIN = f"chrome-extension://{EXTENSION_ID}"


@pytest.fixture(scope="module")
def extension(tmp_path_factory):
    """The extension as `framing extension DIR` writes it out (what a user loads)."""
    folder = tmp_path_factory.mktemp("unpacked") / "framing-extension"
    done = cli("extension", folder)
    assert done.returncode == 0 and f"--allow-origin {ORIGIN}" in done.stderr.decode()
    return folder


@pytest.fixture(scope="module")
def news_site():
    """The fixture pages on their own loopback origin, as a news site would be."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(PAGES))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def framing_url(shipped):
    with live_server(shipped, allow_origins=[ORIGIN]) as url:
        yield url


@pytest.fixture()
def browser(tmp_path, extension):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            viewport={"width": 1000, "height": 900},
            args=[
                "--no-sandbox",
                "--disable-gpu",
                f"--disable-extensions-except={extension}",
                f"--load-extension={extension}",
            ],
        )
        try:
            yield context
        finally:
            context.close()


def open_popup(context, server: str, news_url: str):
    """The popup as a page, pointed at `server` and at the tab showing `news_url`."""
    popup = context.new_page()
    popup.goto(f"{ORIGIN}/popup.html")
    popup.evaluate("server => chrome.storage.local.set({server})", server)
    tab = popup.evaluate("url => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url === url).id)", news_url)
    popup.goto(f"{ORIGIN}/popup.html?tab={tab}")
    return popup


def test_one_click_marks_the_page_and_the_popup_shows_the_summary(browser, framing_url, news_site, shipped, tmp_path):
    news = browser.new_page()
    news.goto(f"{news_site}/opinion.html")
    popup = open_popup(browser, framing_url, f"{news_site}/opinion.html")
    with popup.expect_request(f"{framing_url}/v1/analyze") as request:
        popup.click("#analyze")
    sent = json.loads(request.value.post_data)["text"]  # the paragraphs the extension read from the page
    popup.wait_for_selector("#summary:not([hidden])", timeout=30_000)
    assert popup.inner_text("#status").startswith("Marked ")
    assert sent.startswith("Another humiliating retreat\n\nThe secretary's apologist foreign policy")
    assert not [
        word
        for word in ("Share", "Photo credit", "Leave a comment", "Most read", "Sign up", "trackRead")
        if word in sent
    ]
    assert "week 🙄, another humiliating" in sent  # a character of two UTF-16 units before marked words
    assert "Another humiliating retreat" in popup.inner_text("#page-title")
    # what was marked is the model's answer on the paragraphs the extension sent
    flagged = news.locator("span.framing-sentence.editorializing")
    words = news.locator("mark.framing-word").all_inner_texts()
    assert {"apologist", "humiliating", "bashed"} <= set(words)
    assert flagged.count() >= 3 and "% probability of editorializing" in flagged.first.get_attribute("title")
    assert "weight" in news.locator("mark.framing-word").first.get_attribute("title")
    # boilerplate is not marked, and the page's own text is unchanged
    for selector in (".credit", ".social", ".sidebar", ".comments-prompt", "footer", ".newsletter"):
        assert news.locator(f"{selector} span.framing-sentence").count() == 0
    assert "He groveled in Beijing." in news.inner_text(".article-body")
    expected = shipped.analyze(sent, format="text")
    assert words == [w["text"] for s in expected["sentences"] for w in s["highlights"]]  # in order, in place
    figures = popup.inner_text("#figures")
    assert f"{expected['summary']['editorializing_sentences']} (" in figures
    news.screenshot(path=str(tmp_path / "extension-page.png"))
    popup.screenshot(path=str(tmp_path / "extension-popup.png"))


def analyze_in_popup(context, server: str, news_url: str):
    """Open `news_url`, press Analyze in the popup: the news page, the popup and the text sent."""
    news = context.new_page()
    news.goto(news_url)
    popup = open_popup(context, server, news_url)
    with popup.expect_request(f"{server}/v1/analyze") as request:
        popup.click("#analyze")
    popup.wait_for_selector("#summary:not([hidden])", timeout=30_000)
    return news, popup, json.loads(request.value.post_data)["text"]


def test_hovering_a_marked_sentence_shows_its_techniques_and_the_explanation(
    browser, news_site, technique_checkpoint, tmp_path
):
    """A model with a technique head: on the news page, hovering a marked editorializing sentence
    (or reaching it with Tab) shows the techniques found with their probabilities and the
    explanation, in the extension's own tooltip; the popup counts the techniques."""
    from playwright.sync_api import expect

    from framing.techniques import NOT_AVAILABLE

    classifier = every_technique(technique_checkpoint)
    with live_server(classifier, allow_origins=[ORIGIN]) as url:
        news, popup, sent = analyze_in_popup(browser, url, f"{news_site}/opinion.html")
        expected = classifier.analyze(sent, format="text")
        assert expected["techniques_available"] is True
        flagged = news.locator("span.framing-sentence.editorializing")
        assert flagged.count() >= 3
        tip = news.locator("framing-tip .tip")  # in the tooltip's shadow root
        for nth in (0, 2):
            target = flagged.nth(nth)
            sentence = expected["sentences"][int(target.get_attribute("data-framing-index"))]
            assert sentence["label"] == expected["flag_label"] and sentence["explanation"]
            title = target.get_attribute("title")
            target.hover()
            expect(tip).to_be_visible()
            assert tip.locator(".label").inner_text() == title  # label and probability, as the title says
            assert target.get_attribute("title") is None  # no browser tooltip on top of this one
            assert tip.locator("li").all_inner_texts() == [
                f"{t['name']} {shown_percent(t['score'])}" for t in sentence["techniques"]
            ]
            assert tip.locator(".explanation").inner_text() == sentence["explanation"]
            assert NOT_AVAILABLE not in tip.inner_text()
            news.screenshot(path=str(tmp_path / f"extension-techniques-{nth}.png"))
            news.mouse.move(1, 1)
            expect(tip).to_be_hidden()
            assert target.get_attribute("title") == title  # given back
        # the keyboard: each editorializing sentence is one Tab stop, and focus shows its tooltip
        first = news.locator("span.framing-sentence[tabindex='0']").first
        first.focus()
        expect(tip).to_be_visible()
        sentence = expected["sentences"][int(first.get_attribute("data-framing-index"))]
        assert tip.locator(".explanation").inner_text() == sentence["explanation"]
        news.keyboard.press("Escape")
        expect(tip).to_be_hidden()
        figures = popup.inner_text("#figures")
        names = {t["technique"]: t["name"] for s in expected["sentences"] for t in s["techniques"]}
        for label, count in expected["summary"]["techniques"]["author_voice"].items():
            assert f"{names[label]} ({count})" in figures
        assert NOT_AVAILABLE not in figures


def test_a_model_without_a_technique_head_says_so_on_hover(browser, without_techniques, news_site):
    from playwright.sync_api import expect

    from framing.techniques import NOT_AVAILABLE

    with live_server(without_techniques, allow_origins=[ORIGIN]) as framing_url:
        news, popup, _ = analyze_in_popup(browser, framing_url, f"{news_site}/opinion.html")
        assert NOT_AVAILABLE in popup.inner_text("#figures")
        target = news.locator("span.framing-sentence.editorializing").first
        target.hover()
        tip = news.locator("framing-tip .tip")
        expect(tip).to_be_visible()
        assert "% probability of editorializing" in tip.locator(".label").inner_text()
        assert tip.locator(".unavailable").inner_text() == NOT_AVAILABLE
        assert tip.locator("li").count() == 0 and "no persuasion technique found" not in tip.inner_text()


def test_contrast_with_a_second_tab(browser, framing_url, news_site):
    from playwright.sync_api import expect

    report = browser.new_page()
    report.goto(f"{news_site}/wire_report.html")
    opinion = browser.new_page()
    opinion.goto(f"{news_site}/opinion.html")
    popup = open_popup(browser, framing_url, f"{news_site}/wire_report.html")
    assert popup.locator("#other option").count() == 1
    popup.click("#contrast")
    expect(popup.locator("#verdict")).to_contain_text("editorializes", timeout=30_000)
    verdict = popup.inner_text("#verdict")
    assert verdict.startswith("Article 2 (“Another humiliating retreat”) editorializes more")
    assert "not a fact-check" in popup.inner_text("#note")
    assert opinion.locator("mark.framing-word").count() > 0
    assert report.locator("span.framing-sentence.editorializing").count() == 0
    assert report.locator("span.framing-sentence").count() > 0


def test_the_popup_says_so_when_the_server_is_down(browser, news_site):
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    news = browser.new_page()
    news.goto(f"{news_site}/opinion.html")
    popup = open_popup(browser, closed, f"{news_site}/opinion.html")
    popup.click("#analyze")
    popup.wait_for_selector("#status.error", timeout=30_000)
    assert popup.inner_text("#status") == (
        f"Cannot reach the framing server at {closed}. Start it with: framing serve --allow-origin {ORIGIN}"
    )
    assert news.locator("span.framing-sentence").count() == 0


def test_the_manifest_asks_only_for_what_it_uses_and_fixes_the_id():
    import base64
    import hashlib

    manifest = json.loads((EXTENSION_DIR / "manifest.json").read_text())
    # Chromium's id: the first 32 hex digits of the key's sha256, written with the letters a-p
    digest = hashlib.sha256(base64.b64decode(manifest["key"])).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(digit, 16)) for digit in digest) == EXTENSION_ID
    assert manifest["manifest_version"] == 3
    assert set(manifest["permissions"]) == {"activeTab", "scripting", "storage", "tabs"}
    # read access to web pages, used only when asked: the tab analyzed and the one contrasted
    assert manifest["host_permissions"] == ["http://*/*", "https://*/*"]
    assert "content_scripts" not in manifest  # nothing runs on a page until the user asks


def test_the_zip_holds_the_same_files_and_nothing_is_overwritten_without_the_flag(tmp_path):
    import zipfile

    target = tmp_path / "framing-extension.zip"
    assert cli("extension", target).returncode == 0
    assert {n: zipfile.ZipFile(target).read(n) for n in zipfile.ZipFile(target).namelist()} == extension_files()
    assert set(extension_files()) >= {"manifest.json", "popup.html", "popup.js", "content.js", "content.css"}
    again = cli("extension", target)
    assert (
        again.returncode == 2
        and again.stderr.decode().strip() == f"framing: error: {target}: already exists; pass --overwrite to replace it"
    )
