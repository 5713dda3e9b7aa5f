import re

import pytest
from fastapi.testclient import TestClient

from framing import FramingClassifier
from framing.errors import FramingError
from framing.server import Limits, create_app

from helpers import EDITORIAL, NEUTRAL


@pytest.fixture(scope="module")
def client(tiny_checkpoint):
    classifier = FramingClassifier.from_pretrained(tiny_checkpoint)
    limits = Limits(max_body_bytes=20_000, max_texts=4, max_text_chars=500, max_article_chars=2_000)
    return TestClient(create_app(classifier, limits)), classifier


def test_predict_matches_the_python_api(client):
    client, classifier = client
    response = client.post("/v1/predict", json={"texts": [NEUTRAL[0], EDITORIAL[0]]})
    assert response.status_code == 200
    results = response.json()["results"]
    expected = classifier([NEUTRAL[0], EDITORIAL[0]], top_k=None)
    assert [r["label"] for r in results] == [e[0]["label"] for e in expected]
    assert results[1]["scores"] == pytest.approx({e["label"]: e["score"] for e in expected[1]})


def test_analyze_matches_the_python_api(client):
    client, classifier = client
    text = f"{NEUTRAL[0]} {EDITORIAL[0]}"
    response = client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200
    assert response.json()["summary"]["sentences"] == classifier.analyze(text)["summary"]["sentences"] == 2


def test_analyze_offsets_count_code_points_and_the_docs_say_so(client):
    client, _ = client
    text = "🙂 The senator spoke on Tuesday.\n\n𝐍𝐨𝐭𝐞 😡: the vote is on Friday. Officials agreed."
    answer = client.post("/v1/analyze", json={"text": text}).json()
    assert [text[s["start"] : s["end"]] for s in answer["sentences"]] == [s["text"] for s in answer["sentences"]]
    assert answer["sentences"][-1]["text"] == "Officials agreed."
    words = [(w, text[w["start"] : w["end"]]) for s in answer["sentences"] for w in s["highlights"]]
    assert all(w["text"] == sliced for w, sliced in words)
    doc = client.get("/openapi.json").json()["paths"]["/v1/analyze"]["post"]["description"]
    assert "code points" in doc and "UTF-16" in doc


def test_health_model_page_and_docs(client):
    client, _ = client
    assert client.get("/v1/health").json() == {"status": "ok"}
    model = client.get("/v1/model").json()
    assert model["labels"] == ["neutral", "editorializing"] and model["card"]["base_model"]
    page = client.get("/")
    assert page.status_code == 200 and "Analyze" in page.text and "/static/app.js" in page.text
    assert client.get("/static/app.js").status_code == 200
    assert "/v1/analyze" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"texts": ["x"] * 5}, 422, "invalid_input"),
        ({"texts": ["x" * 501]}, 422, "invalid_input"),
        ({"texts": []}, 422, "invalid_request"),
        ({"texts": [""]}, 422, "invalid_input"),
        ({"texts": [1]}, 422, "invalid_request"),
        ({"texts": "not a list"}, 422, "invalid_request"),
        ({"text": "wrong field"}, 422, "invalid_request"),
        ({"texts": ["x " * 12_000]}, 413, "body_too_large"),
    ],
)
def test_predict_limits_give_json_errors(client, body, status, code):
    client, _ = client
    response = client.post("/v1/predict", json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_malformed_json_and_oversized_article(client):
    client, _ = client
    response = client.post("/v1/predict", content=b'{"texts": [', headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    response = client.post("/v1/analyze", json={"text": "Word. " * 400})
    assert response.status_code == 422 and "at most 2000" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static//etc/passwd",
        "/../pyproject.toml",
    ],
)
def test_nothing_outside_the_static_folder_is_served(client, path):
    client, _ = client
    response = client.get(path)
    assert response.status_code == 404 and "import" not in response.text


def test_timed_out_work_stops_instead_of_delaying_the_next_request(tiny_checkpoint):
    """A burst of analyses that time out leaves no queue behind: queued ones are skipped and
    the running one stops between batches, so the next small predict computes at once."""
    import asyncio
    import threading
    import time

    import httpx

    classifier = FramingClassifier.from_pretrained(tiny_checkpoint, batch_size=1)
    slow, calls = classifier.runtime.__call__, []

    def slow_batch(batch, outputs):  # 50 ms a sentence: an article of 40 takes 2 s
        calls.append(threading.current_thread().name)
        time.sleep(0.05)
        return slow(batch, outputs)

    classifier.runtime.__call__ = slow_batch
    classifier.runtime.map = lambda batches, outputs: (slow_batch(b, outputs) for b in batches)
    app = create_app(classifier, Limits(timeout_s=0.3))
    article = " ".join(NEUTRAL * 5)

    async def burst_then_predict():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*[client.post("/v1/analyze", json={"text": article}) for _ in range(5)])
            assert [a.status_code for a in answers] == [503] * 5
            started = time.monotonic()
            reply = await client.post("/v1/predict", json={"texts": [NEUTRAL[0]]})
            return reply, time.monotonic() - started

    reply, waited = asyncio.run(burst_then_predict())
    assert reply.status_code == 200
    # 5 analyses of 40 sentences would be 200 batches (10 s); each stops within a batch of its limit
    assert len(calls) < 5 * 40 / 4 and waited < 3.0


def test_a_lone_surrogate_is_a_422_with_a_json_error(client):
    client, _ = client
    response = client.post(
        "/v1/predict", content=b'{"texts": ["abc \\ud800 def"]}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "lone surrogate" in response.json()["error"]["message"]


EXTENSION = "chrome-extension://mohjkanpfmgnhgblbikihgoojefidmpc"


def test_only_named_origins_may_call_from_a_browser(client):
    _, classifier = client
    strict = TestClient(
        create_app(classifier, allow_origins=[EXTENSION.upper().replace("CHROME-EXTENSION", "chrome-extension")]),
        base_url="http://127.0.0.1:8000",
    )
    body = {"texts": [NEUTRAL[0]]}
    # no Origin (curl, Python) and the server's own page are served
    assert strict.post("/v1/predict", json=body).status_code == 200
    assert strict.post("/v1/predict", json=body, headers={"origin": "http://127.0.0.1:8000"}).status_code == 200
    local = {"origin": "http://localhost:8000", "host": "localhost:8000"}
    assert strict.post("/v1/predict", json=body, headers=local).status_code == 200
    # DNS rebinding: a site's name made to resolve to 127.0.0.1 sends its own Origin and Host
    rebound = {"origin": "http://news.example:8000", "host": "news.example:8000"}
    assert strict.post("/v1/predict", json=body, headers=rebound).status_code == 403
    # a page of another site is refused, with the flag that would let it
    refused = strict.post("/v1/predict", json=body, headers={"origin": "https://news.example"})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    assert refused.json()["error"] == {
        "code": "origin_not_allowed",
        "message": (
            "origin https://news.example may not call this server "
            "(start it with --allow-origin https://news.example to let it)"
        ),
    }
    preflight = {
        "origin": EXTENSION,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    answered = strict.options("/v1/analyze", headers=preflight)
    assert answered.status_code == 200 and answered.headers["access-control-allow-origin"] == EXTENSION
    assert strict.options("/v1/analyze", headers={**preflight, "origin": "https://news.example"}).status_code == 403
    allowed = strict.post("/v1/predict", json=body, headers={"origin": EXTENSION})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == EXTENSION
    # by default no other origin at all
    assert (
        TestClient(create_app(classifier)).post("/v1/predict", json=body, headers={"origin": EXTENSION}).status_code
        == 403
    )


@pytest.mark.parametrize(
    "origin, message",
    [
        ("*", "a wildcard would let any site"),
        ("https://*.example", "a wildcard"),
        ("http://localhost:3000/", "expected scheme://host"),
        ("localhost:3000", "expected scheme://host"),
    ],
)
def test_an_origin_must_be_named_exactly(client, origin, message):
    from framing.server import check_origins

    with pytest.raises(FramingError, match=f"^--allow-origin {re.escape(origin)}: .*{message}"):
        check_origins([origin])


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/predict", '{"texts": ["The senator spoke."]}'),
        ("/v1/analyze", '{"text": "The senator spoke."}'),
        ("/v1/contrast", '{"articles": ["A report.", "Another."]}'),
    ],
)
@pytest.mark.parametrize("kind", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"])
def test_a_json_body_sent_as_another_content_type_is_told_so(client, path, body, kind):
    # before: 422 "Input should be a valid dictionary or object to extract fields from"
    client, _ = client
    response = client.post(path, content=body.encode(), headers={"content-type": kind})
    assert response.status_code == 415 and response.json()["error"] == {
        "code": "unsupported_media_type",
        "message": f"content type {kind}: send the body as JSON, with Content-Type: application/json",
    }
    response = client.post(path, content=body.encode(), headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 200


def _listening_port():
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    return busy, busy.getsockname()[1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--port", "{busy}"],
            "--port {busy}: already in use on 127.0.0.1 (another server?); stop it or pick another --port",
        ),
        (["--host", "localhots"], "--host localhots: no such host or address ("),
        (["--host", "192.0.2.1"], "--host 192.0.2.1: not an address of this machine"),  # TEST-NET-1: never local
    ],
)
def test_serve_where_it_cannot_listen_is_one_error_line(tiny_checkpoint, argv, message):
    # before: uvicorn's log lines, exit status 3, sometimes the extractor's EOFError traceback
    from test_cli import cli

    busy, port = _listening_port()
    with busy:
        done = cli("serve", "--checkpoint", tiny_checkpoint, *[a.format(busy=port) for a in argv])
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith("framing: error: " + message.format(busy=port))
    assert len(done.stderr.decode().strip().splitlines()) == 1


def test_serve_says_where_it_listens_answers_and_stops_cleanly_on_ctrl_c(tiny_checkpoint):
    import json
    import signal
    import subprocess
    import sys
    import urllib.request

    free, port = _listening_port()
    free.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "framing.cli", "serve", "--checkpoint", str(tiny_checkpoint), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr.readline().strip() == (
            f"framing: serving http://127.0.0.1:{port}/ (the web page; the API at /docs); Ctrl+C stops it"
        )
        for _ in range(100):  # uvicorn starts accepting just after
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=5) as answer:
                    assert json.load(answer) == {"status": "ok"}
                break
            except OSError:
                import time

                time.sleep(0.1)
        else:
            pytest.fail("the server never answered")
        server.send_signal(signal.SIGINT)  # while the page extractor may still be starting
        assert server.wait(timeout=30) == 130  # as every command stopped by Ctrl+C
        rest = server.stderr.read()
        assert "Traceback" not in rest and rest.strip().splitlines()[-1] == "framing: interrupted", rest
    finally:
        server.kill()
        server.stderr.close()


def test_a_warm_up_cut_short_leaves_no_traceback(tiny_checkpoint, monkeypatch):
    # a server stopped while the page extractor starts (a failed start-up, Ctrl+C) broke its pipe:
    # before, the warm-up thread printed an EOFError traceback
    import threading

    from framing.news_page import EXTRACTOR

    warmed, uncaught = [], []

    def broken_pipe():
        warmed.append(threading.current_thread())
        raise EOFError

    monkeypatch.setattr(EXTRACTOR, "warm", broken_pipe)
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    with TestClient(create_app(FramingClassifier.from_pretrained(tiny_checkpoint))) as client:  # runs the lifespan
        assert client.get("/v1/health").status_code == 200
    for _ in range(100):  # the warm-up thread has run
        if warmed:
            break
        threading.Event().wait(0.05)
    warmed[0].join(timeout=5)
    assert uncaught == []
