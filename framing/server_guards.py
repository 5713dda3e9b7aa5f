"""What the HTTP service lets in (framing.server): bodies up to a size, browsers only from the
origins named at start; and the one JSON shape of its errors."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Sequence

from fastapi import HTTPException
from fastapi.responses import JSONResponse

from framing.errors import FramingError


def error(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if detail is not None:
        body["error"]["detail"] = detail
    return JSONResponse(body, status_code=status)


class BodySizeLimit:
    """ASGI middleware: refuse bodies over the limit (by Content-Length, or while streaming)."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        too_large = error(413, "body_too_large", f"request body over {self.max_bytes} bytes")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await too_large(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # an HTTPException passes through FastAPI's body parsing to the handler below
                raise HTTPException(413, f"request body over {self.max_bytes} bytes")
            return message

        await self.app(scope, limited_receive, send)


class OriginPolicy:
    """ASGI middleware: a request a browser sends from another origin (its Origin header names
    another site) is refused with 403 unless that origin was named at start; the page served
    here (same origin) and clients that send no Origin (curl, Python) are not affected.
    Without it any site open in the user's browser could use the local server.

    "Same origin" counts only for a Host that is an IP address or localhost: a site whose DNS
    name is made to resolve to 127.0.0.1 (DNS rebinding) sends Origin and Host of its own name,
    which match each other but not this rule."""

    def __init__(self, app, allowed: frozenset[str]):
        self.app, self.allowed = app, allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or {})
            origin = headers.get(b"origin", b"").decode("latin-1").lower()
            host = headers.get(b"host", b"").decode("latin-1").lower()
            own = origin == f"{scope.get('scheme', 'http')}://{host}" and _local_name(host)
            if origin and not own and origin not in self.allowed:
                refused = error(
                    403,
                    "origin_not_allowed",
                    f"origin {origin} may not call this server (start it with --allow-origin {origin} to let it)",
                )
                return await refused(scope, receive, send)
        await self.app(scope, receive, send)


def _local_name(host: str) -> bool:
    """Whether a Host header names this machine by address or as localhost (never a DNS name
    that someone else controls)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def check_origins(origins: Sequence[str]) -> frozenset[str]:
    """Origins a browser may call the server from: scheme://host[:port] each, never "*"."""
    for origin in origins:
        if origin == "*" or "*" in origin:
            raise FramingError(
                f"--allow-origin {origin}: name each origin; a wildcard would let any site "
                "open in the browser use this server"
            )
        if not re.fullmatch(r"[a-z][a-z0-9+.-]*://[^/\s?#]+", origin):
            raise FramingError(
                f"--allow-origin {origin}: expected scheme://host[:port], such as "
                "chrome-extension://<id> or http://localhost:3000 (no path, no trailing /)"
            )
    return frozenset(origin.lower() for origin in origins)  # browsers send scheme and host in lower case
