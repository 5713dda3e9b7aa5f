"""Regenerate the screenshots in docs/images/ with the shipped model, in headless Chromium:
the web page's two-report view, and the browser extension on a local news page with its popup;
with `--report FOLDER`, only the first screen of a `framing report` folder (report-allsides.png).

    python docs/screenshots.py
    python docs/screenshots.py --report allsides-report

Uses the example pages of examples/pages/ served on loopback; nothing leaves the machine.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO / "examples" / "pages"
EXTENSION = REPO / "extension"
ORIGIN = "chrome-extension://mohjkanpfmgnhgblbikihgoojefidmpc"
IMAGES = REPO / "docs" / "images"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_framing() -> str:
    import uvicorn

    from framing import FramingClassifier
    from framing.server import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(FramingClassifier.from_pretrained(), allow_origins=[ORIGIN]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def start_news_site() -> str:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(PAGES))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    framing, news = start_framing(), start_news_site()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            viewport={"width": 1200, "height": 900},
            args=[
                "--no-sandbox",
                "--disable-gpu",
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
            ],
        )
        page = context.new_page()
        page.goto(framing + "/")
        page.fill("#article-a", (PAGES / "wire_report.html").read_text())
        page.fill("#article-b", (PAGES / "opinion.html").read_text())
        page.click("#contrast")
        page.wait_for_selector("#contrast-results:not([hidden])")
        page.locator("#contrast-results").screenshot(path=str(IMAGES / "page-contrast.png"))

        article = context.new_page()
        article.set_viewport_size({"width": 900, "height": 760})
        article.goto(news + "/opinion.html")
        popup = context.new_page()
        popup.set_viewport_size({"width": 420, "height": 640})
        popup.goto(f"{ORIGIN}/popup.html")
        popup.evaluate("server => chrome.storage.local.set({server})", framing)
        tab = popup.evaluate(
            "url => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url === url).id)", news + "/opinion.html"
        )
        popup.goto(f"{ORIGIN}/popup.html?tab={tab}")
        popup.click("#analyze")
        expect(popup.locator("#status")).to_contain_text("Marked", timeout=30_000)
        article.screenshot(path=str(IMAGES / "extension-page.png"))
        popup.screenshot(path=str(IMAGES / "extension-popup.png"), full_page=True)
        context.close()
    print("\n".join(str(p.relative_to(REPO)) for p in sorted(IMAGES.glob("*.png"))))


def report_screenshot(folder: Path) -> None:
    """The first screen of a report folder's index.html, opened as a file (it needs nothing else)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1300})
        page.goto((folder.resolve() / "index.html").as_uri())
        page.screenshot(path=str(IMAGES / "report-allsides.png"))
        browser.close()
    print(IMAGES.relative_to(REPO) / "report-allsides.png")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--report"]:
        report_screenshot(Path(sys.argv[2]))
    else:
        main()
