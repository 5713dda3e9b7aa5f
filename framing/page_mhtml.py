"""A page saved as a web archive (MHTML: Chrome's "Webpage, Single File", .mhtml or .mht): a
MIME message whose HTML part (quoted-printable or base64) is the page, beside its images and
styles. The page inside is what is analyzed, never the MIME text around it.
"""

from __future__ import annotations

import re
from typing import Optional

from framing.errors import FramingError

# A MIME header block at the start (Chrome begins "From: <Saved by Blink>", Internet Explorer
# and Word "MIME-Version: 1.0") that says the message is multipart or an HTML page.
HEADER_LINE = re.compile(rb"[!-9;-~]+:[^\r\n]*\r?\n|[ \t][^\r\n]*\r?\n")
HEAD_BYTES = 8192


def is_mhtml(data: bytes) -> bool:
    """Whether bytes are a web archive: MIME headers, one of them a MIME version, and a
    multipart or HTML content type, before the first blank line."""
    head, position = data[:HEAD_BYTES].lstrip(), 0
    while (line := HEADER_LINE.match(head, position)) is not None:
        position = line.end()
    headers = head[:position].lower()
    return (
        position > 0
        and b"mime-version:" in headers
        and re.search(rb"content-type:\s*(?:multipart/|text/html)", headers) is not None
    )


def page_in_mhtml(data: bytes, source: str) -> tuple[bytes, Optional[str]]:
    """The HTML page inside a web archive, as bytes with the charset its part declares (None
    when it declares none): the part that the archive names as its start, else its first
    HTML part. Refused by name when it holds no page."""
    import email  # the standard library's MIME parser, only for an archive

    message = email.message_from_bytes(data.lstrip())
    parts = [part for part in message.walk() if part.get_content_type() == "text/html"]
    if not parts:
        raise FramingError(f"{source}: a saved web archive (MHTML) without a web page in it")
    start = message.get_param("start") if message.is_multipart() else None
    part = next((p for p in parts if start and p.get("Content-ID", "").strip() == start.strip()), parts[0])
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise FramingError(f"{source}: the web page in this saved web archive (MHTML) is empty")
    return payload, part.get_content_charset()
