"""One error shape for every failure: ``{"error": {"status", "title", "detail"}}``.

JSON by default, ``text/plain`` when the client's Accept rates it above JSON. Handlers cover
our own :class:`ApiError`, every HTTP error Flask raises (404, 405, 413, …) and any unexpected
exception (500, logged, never shown to the client).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from server.formats import prefers

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered to the client with ``status``, a short ``title`` and a ``detail``."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def error_response(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    """Build the error response in the format the client prefers."""
    accept = request.headers.get("Accept") if request else None
    if prefers(accept, "text/plain", "application/json"):
        body = f"{status} {title}\n\n{detail}\n"
        response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    else:
        doc = {"error": {"status": status, "title": title, "detail": detail}}
        response = Response(json.dumps(doc), status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.title, exc.detail, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        headers = {}
        if status == 405:
            allow = exc.get_headers()
            headers = {k: v for k, v in allow if k.lower() == "allow"}
        return error_response(status, exc.name, exc.description or exc.name, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal Server Error", "The server failed; see its log.")
