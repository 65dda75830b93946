"""Template rendering with the helpers every page uses (public URLs, assets)."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template

from .iris import url


def asset(name: str) -> str:
    """Public URL of a file of ``server/static``."""
    return url(f"assets/{name}")


def page(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    """Render ``template`` as an HTML response (Jinja autoescaping on)."""
    body = render_template(template, url=url, asset=asset, **context)
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
