"""CORS for the read endpoints (Fetch standard, "CORS protocol").

Simple requests get ``Access-Control-Allow-Origin`` when their ``Origin`` is allowed
(``cors_origins``; ``*`` = any). A preflight (``OPTIONS`` with
``Access-Control-Request-Method``) on a CORS path is answered 204 with the allowed methods and
headers. Credentials are never allowed.
"""

from __future__ import annotations

from flask import Flask, Response, request

from server.state import state

PATHS = ("/sparql", "/store", "/.well-known/void", "/health")
METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = {"accept", "content-type", "authorization", "if-none-match", "accept-encoding"}
EXPOSED = "X-Result-Truncated, X-Result-Rows, Warning, ETag, Content-Disposition"


def _allowed_origin(origin: str | None) -> str | None:
    if not origin:
        return None
    origins = state().settings.cors_origins
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def _cors_path() -> bool:
    return any(request.path == p or request.path.startswith(p + "/") for p in PATHS)


def register(app: Flask) -> None:
    """Install the preflight handler and response headers."""

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or not _cors_path():
            return None
        if "Access-Control-Request-Method" not in request.headers:
            return None
        response = Response(status=204)
        allowed = _allowed_origin(request.headers.get("Origin"))
        if allowed is None:
            return response
        requested = request.headers.get("Access-Control-Request-Headers", "")
        headers = [h.strip() for h in requested.split(",") if h.strip().lower() in ALLOWED_HEADERS]
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Allow-Methods"] = METHODS
        if headers:
            response.headers["Access-Control-Allow-Headers"] = ", ".join(headers)
        response.headers["Access-Control-Max-Age"] = "86400"
        if allowed != "*":
            response.headers["Vary"] = "Origin"
        return response

    @app.after_request
    def _headers(response: Response) -> Response:
        if not _cors_path() or "Access-Control-Allow-Origin" in response.headers:
            return response
        allowed = _allowed_origin(request.headers.get("Origin"))
        if allowed is not None:
            response.headers["Access-Control-Allow-Origin"] = allowed
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
            if allowed != "*":
                response.vary.add("Origin")
        return response
