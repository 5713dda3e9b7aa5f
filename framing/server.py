"""HTTP service (FastAPI): a thin caller of one FramingClassifier, loaded once.

    POST /v1/predict   {"texts": [...], "top_k": 1}   -> {"results": [...]} (as the predictor)
    POST /v1/analyze   {"text": "..."}                -> the article analysis (text or a news page)
    POST /v1/contrast  {"articles": ["...", "..."]}   -> articles side by side, with a verdict
    GET  /v1/health, GET /v1/model, GET / (the web page), /docs (OpenAPI)

A browser may call it from another origin (the browser extension) only when that origin was
named at start (`allow_origins`); other cross-origin requests get 403. Limits answer with JSON
errors: a body over `max_body_bytes` gets 413; too many texts, too many characters, malformed
JSON or a bad field get 422; a body not sent as JSON gets 415 naming its content type; a
request over `timeout_s` gets 503.
Model calls run in a worker thread, one at a time, off the event loop; a call whose request
timed out stops between batches instead of computing on for nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, Sequence

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from framing import __version__
from framing.deadline import time_limit
from framing.errors import FramingError
from framing.news_page import EXTRACTOR, is_page
from framing.server_guards import BodySizeLimit, OriginPolicy, check_origins, error
from framing.techniques import display_name

STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 1_000_000
    max_texts: int = 256
    max_text_chars: int = 20_000  # per text in /v1/predict
    max_article_chars: int = 100_000  # /v1/analyze, and each article of /v1/contrast
    max_contrast_articles: int = 8
    timeout_s: float = 30.0


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[str] = Field(min_length=1, description="passages to label")
    top_k: Optional[int] = Field(None, ge=1, description="labels per result; null for every label")
    all_techniques: bool = Field(
        False,
        description="a model with a technique head: list every persuasion technique with its probability, "
        "each marked `found` or not (default: only those found, possibly none)",
    )


class Technique(BaseModel):
    technique: str = Field(description="the technique's label, e.g. Loaded_Language")
    name: str = Field(description="its name for readers, e.g. Loaded language")
    score: float = Field(description="calibrated probability")
    found: Optional[bool] = Field(None, description="at or above its threshold (only with all_techniques)")


class PredictResult(BaseModel):
    label: Optional[str] = None
    score: Optional[float] = None
    labels: Optional[list[str]] = Field(None, description="a multi-label model: the labels passing their thresholds")
    scores: dict[str, float] = Field(description="every label's calibrated probability")
    techniques: Optional[list[Technique]] = Field(
        None,
        description="persuasion techniques found, best first ([]: none passes its threshold); absent for a "
        "model without a technique head (GET /v1/model: techniques null)",
    )
    top_k: Optional[list[dict]] = Field(None, description="the top_k labels with their probabilities, best first")


class PredictResponse(BaseModel):
    results: list[PredictResult]


ANALYZE_DOC = (
    "Splits the article into sentences, labels each, marks the words that carry the judgement and "
    "quoted speech, and summarises. Every `start`/`end` offset counts Unicode code points of `text` "
    "(Python string indices: `text[start:end]` is the sentence or word), as do the character limits. "
    "JavaScript strings index UTF-16 code units, in which a character outside the Basic Multilingual "
    "Plane (an emoji) takes two: convert before slicing (the web page's app.js does). A saved news "
    "page (HTML) is analyzed by its extracted title and body: the answer's `text` is that text, "
    "and the offsets are into it. A model with a technique head adds to each sentence its persuasion "
    "`techniques` (found ones, best first, each with `technique`, `name`, `score`) and, for an editorializing "
    "sentence, a plain-language `explanation`; the summary counts sentences per technique in the writer's "
    "voice and in quotes apart (`techniques`, null for a model without the head: `techniques_available`)."
)


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="an article or passage, or a saved news page (HTML)")
    top: int = Field(3, ge=0, le=50, description="how many top editorializing sentences to list")
    format: Literal["auto", "text", "html"] = Field(
        "auto", description="auto: a document that starts like a web page is one (its title and body are analyzed)"
    )


class ContrastRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[str] = Field(min_length=2, description="two or more reports of one event: texts or saved news pages")
    top: int = Field(3, ge=0, le=50, description="top editorializing sentences per article")
    format: Literal["auto", "text", "html"] = Field("auto", description="as for /v1/analyze")


def create_app(classifier, limits: Limits = Limits(), allow_origins: Sequence[str] = ()) -> FastAPI:
    """The app serving `classifier`; browsers may call it cross-origin only from `allow_origins`."""
    allowed = check_origins(allow_origins)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        threading.Thread(target=_warm_extractor, daemon=True).start()  # news pages: its start-up off any request
        yield

    app = FastAPI(
        title="framing",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        description="Tell neutral news reporting from editorializing.",
    )
    _add_error_handlers(app, limits)
    _add_model_routes(app, classifier, limits, _model_caller(limits))
    _add_pages(app)
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    if allowed:  # answers preflights and adds Access-Control-Allow-Origin for the named origins only
        app.add_middleware(
            CORSMiddleware,
            allow_origins=sorted(allowed),
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            max_age=600,
        )
    app.add_middleware(OriginPolicy, allowed=allowed)  # outermost: before anything else runs
    return app


def _model_caller(limits: Limits):
    """`await call(function, *args)`: the model's work in a thread, one forward pass at a time
    (2 cores gain nothing from overlap), within the request's time limit."""
    lock = threading.Lock()

    async def call(function, *args):
        deadline = time.monotonic() + limits.timeout_s

        def locked():
            with lock:
                # Work whose request has timed out is skipped (if it waited for the lock) or
                # stopped between batches (time_limit), so it never delays the next request.
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the request timed out while waiting for the model")
                with time_limit(remaining):
                    return function(*args)

        try:
            return await asyncio.wait_for(run_in_threadpool(locked), timeout=limits.timeout_s)
        except (asyncio.TimeoutError, TimeoutError):
            raise _Timeout from None

    return call


def _add_error_handlers(app: FastAPI, limits: Limits) -> None:
    """Every error as one JSON body: {"error": {"code", "message", ...}}."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if not _is_json(request.headers.get("content-type")):  # the body was never read as JSON: say why
            kind = request.headers["content-type"]
            return error(
                415,
                "unsupported_media_type",
                f"content type {kind}: send the body as JSON, with Content-Type: application/json",
            )
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return error(422, "invalid_request", summary, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        return error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(FramingError)
    async def bad_input(request: Request, exc: FramingError):
        return error(422, "invalid_input", str(exc))

    @app.exception_handler(_Timeout)
    async def timed_out(request: Request, exc: _Timeout):
        return error(503, "timeout", f"request took over {limits.timeout_s:g} s")


def _add_model_routes(app: FastAPI, classifier, limits: Limits, call) -> None:
    """/v1/predict, /v1/analyze, /v1/contrast, /v1/health and /v1/model."""

    @app.post("/v1/predict", response_model=PredictResponse, response_model_exclude_none=True)
    async def predict(body: PredictRequest) -> dict:
        if len(body.texts) > limits.max_texts:
            raise FramingError(f"{len(body.texts)} texts: at most {limits.max_texts} per request")
        for index, text in enumerate(body.texts):
            if len(text) > limits.max_text_chars:
                raise FramingError(f"text {index}: {len(text)} characters, at most {limits.max_text_chars}")
        probabilities, _, techniques = await call(classifier.predict_passages, body.texts, None, True, False)
        records = classifier.results.records(probabilities, techniques, body.all_techniques)
        return {
            "results": [_with_top_k(classifier, record, row, body.top_k) for record, row in zip(records, probabilities)]
        }

    def check_article_length(text: str, source_format: str, what: str) -> None:
        # a page may be larger (the body limit bounds it): the limit applies to its extracted text
        if len(text) > limits.max_article_chars and not is_page(text, source_format):
            raise FramingError(f"{what}: {len(text)} characters, at most {limits.max_article_chars}")

    @app.post("/v1/analyze", description=ANALYZE_DOC)
    async def analyze(body: AnalyzeRequest) -> dict:
        check_article_length(body.text, body.format, "text")
        return await call(classifier.analyze, body.text, body.top, body.format, limits.max_article_chars)

    @app.post(
        "/v1/contrast",
        description="Two or more reports of one event side by side: each article's "
        "analysis (as /v1/analyze, offsets into its own `text`), its figures, the loaded words it uses "
        "that the others do not, and a plain-language verdict.",
    )
    async def contrast(body: ContrastRequest) -> dict:
        if len(body.articles) > limits.max_contrast_articles:
            raise FramingError(f"{len(body.articles)} articles: at most {limits.max_contrast_articles} per request")
        for index, text in enumerate(body.articles):
            check_article_length(text, body.format, f"article {index + 1}")
        return await call(classifier.contrast, body.articles, body.top, body.format, limits.max_article_chars)

    @app.get("/v1/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/v1/model")
    async def model() -> dict:
        return _model_description(classifier, limits)


def _model_description(classifier, limits: Limits) -> dict:
    meta = classifier.meta
    return {
        "labels": classifier.labels,
        "flag_label": classifier.flag_label,
        "checkpoint": Path(classifier.checkpoint_dir).name if classifier.checkpoint_dir else None,
        "framing_version": __version__,
        "trained_with": meta.framing_version,
        "temperature": classifier.temperature,
        "logit_bias": meta.logit_bias,
        "marks_words": classifier.marks_words,  # false: a word head training never taught
        "word_threshold": classifier.word_threshold if classifier.marks_words else None,
        "max_length": classifier.max_length,
        # the technique head's labels, names, thresholds and dev figures; null: none (older models)
        "techniques": _techniques_description(meta.techniques),
        "card": classifier.card_metadata(),
        "limits": limits.__dict__,
    }


def _techniques_description(head) -> Optional[dict]:
    if head is None:
        return None
    return {
        "labels": head.labels,
        "names": {label: display_name(label) for label in head.labels},
        "thresholds": {label: float(t) for label, t in zip(head.labels, head.threshold_array())},
        "dev": head.dev,
    }


def _add_pages(app: FastAPI) -> None:
    """The web page at / and the API docs at /docs, both from the package's own files (offline)."""

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    async def docs():  # Swagger UI from the package's own copy (static/swagger-ui): works offline
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="framing API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon.png",
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


class _Timeout(Exception):
    pass


def _is_json(content_type: Optional[str]) -> bool:
    """Whether FastAPI parses a body of this content type as JSON: none given, application/json
    or application/*+json (anything else reaches validation as raw bytes)."""
    if not content_type:
        return True
    kind = content_type.split(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def _warm_extractor() -> None:
    """The page extractor's start-up, at server start. Best effort: a server stopped while the
    child starts (a failed start-up, Ctrl+C) breaks its pipe, which is no error of the user's,
    and the first page starts the extractor again and reports what fails then."""
    try:
        EXTRACTOR.warm()
    except (EOFError, OSError, FramingError):
        pass


def listen(host: str, port: int) -> list[socket.socket]:
    """The service's bound sockets, before the model loads: a busy port, a mistyped host or an
    address not on this machine is one error line, not uvicorn's log lines and exit status 3.
    Every address `host` resolves to is bound, as asyncio's create_server (uvicorn's) does."""
    try:
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as failure:
        raise FramingError(f"--host {host}: no such host or address ({failure.strerror})") from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):
            sockets.append(socket.socket(family, kind, proto))
            sockets[-1].setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: restarts reuse the port
            if family == socket.AF_INET6:  # one socket per family, as asyncio's
                sockets[-1].setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sockets[-1].bind(address)
    except OSError as failure:
        for sock in sockets:
            sock.close()
        raise FramingError(_bind_problem(host, port, failure)) from None
    return sockets


def _bind_problem(host: str, port: int, failure: OSError) -> str:
    if failure.errno == errno.EADDRINUSE:
        return f"--port {port}: already in use on {host} (another server?); stop it or pick another --port"
    if failure.errno == errno.EADDRNOTAVAIL:
        return f"--host {host}: not an address of this machine"
    if failure.errno == errno.EACCES:
        return f"--port {port}: permission denied (ports below 1024 need privileges)"
    return f"cannot listen on {host} port {port}: {failure.strerror or failure}"


def serve(app: FastAPI, sockets: list[socket.socket]) -> None:
    """Run `app` on sockets from `listen` until Ctrl+C, saying where in one line."""
    import uvicorn

    host, port = sockets[0].getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"framing: serving http://{shown}:{port}/ (the web page; the API at /docs); Ctrl+C stops it",
        file=sys.stderr,
        flush=True,
    )
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port))
    server.run(sockets=sockets)  # uvicorn raises the Ctrl+C it caught again once stopped, ...
    if server.should_exit:  # ... except when it came during the app's start-up: the same exit status then
        raise KeyboardInterrupt


def _with_top_k(classifier, record: dict, row, top_k: Optional[int]) -> dict:
    if top_k is not None:
        record["top_k"] = classifier.results.result(row, top_k=None)[:top_k]
    return record
