"""End to end: the web page in headless Chromium against a live server on loopback."""

import shutil
import socket
import threading
import time

import pytest

from helpers import SHIPPED

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTICLE = ("The senator spoke to reporters on Tuesday about the annual budget.\n\n"
           "The senator's apologist foreign policy was another humiliating retreat. "
           "The vote is scheduled for May.")


@pytest.fixture(scope="module")
def server_url():
    import uvicorn

    from framing import FramingClassifier
    from framing.server import create_app

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(FramingClassifier.from_pretrained(SHIPPED)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (the README's test command installs it)")
def test_paste_analyze_and_see_highlights(server_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
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
