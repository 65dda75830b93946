"""A WSGI-level memo of whole ``/sparql`` query responses, in front of Flask.

The engine's result cache (``server/engine.py``) is keyed by the *normalised* query, so two
spellings of one query share an answer; but reaching it still costs the full request path
(Flask, protocol parsing, lexing, negotiation). Clients that repeat a request byte for byte —
dashboards, notebooks re-run, a page's example queries — are answered here instead, without
entering Flask: the key is every input the response can depend on, taken from the raw request.

Only answers the SPARQL view marks as query results (status 200 with ``X-Cache``) are kept, and
never for a request carrying ``Authorization``. The dataset generation is part of the key, so
an update (when enabled) makes every earlier entry unreachable. Bounded by ``max_bytes``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from server.cache import ByteLRU

PATHS = frozenset({"/sparql", "/sparql/"})
MAX_KEY_BYTES = 16_384
"""Requests whose query string or body is longer are not memoised (they pass through)."""
KEY_HEADERS = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "CONTENT_TYPE",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_ORIGIN",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
)
"""Everything of a request, besides its body, that a /sparql query answer can depend on."""

StartResponse = Callable[..., Any]
Stored = tuple[str, list[tuple[str, str]], bytes]


class ResponseCache:
    """WSGI middleware answering repeated ``/sparql`` query requests from memory."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], generation: Callable[[], int], max_bytes: int
    ) -> None:
        self.app = app
        self.generation = generation
        self.memo: ByteLRU[Stored] = ByteLRU(max_bytes)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        hit = self.memo.get(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, [*headers, ("X-Cache", "hit")])
            return [body]
        return self._fill(key, environ, start_response)

    def _key(self, environ: dict[str, Any]) -> tuple[Any, ...] | None:
        """The memo key, or None when this request must not be memoised."""
        method = environ.get("REQUEST_METHOD")
        if method not in {"GET", "POST"} or environ.get("PATH_INFO") not in PATHS:
            return None
        if "HTTP_AUTHORIZATION" in environ or len(environ.get("QUERY_STRING", "")) > MAX_KEY_BYTES:
            return None
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or "")
            except ValueError:
                return None  # chunked or malformed: let Flask deal with it
            if not 0 <= length <= MAX_KEY_BYTES:
                return None
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)  # the app reads it again on a miss
        return (self.generation(), body, *(environ.get(name) for name in KEY_HEADERS))

    def _fill(
        self, key: tuple[Any, ...], environ: dict[str, Any], start_response: StartResponse
    ) -> list[bytes]:
        seen: dict[str, Any] = {}

        def record(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            seen["status"], seen["headers"], seen["exc_info"] = status, headers, exc_info

        chunks = self.app(environ, record)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = seen["status"], seen["headers"]
        start_response(status, headers, seen["exc_info"])
        if status.startswith("200") and any(name == "X-Cache" for name, _ in headers):
            kept = [(name, value) for name, value in headers if name != "X-Cache"]
            self.memo.put(key, (status, kept, body), len(body) + sum(len(str(k)) for k in key if k))
        return [body]
