"""Parse an HTTP request into a SPARQL 1.1 Protocol operation (§2.1 query, §2.2 update).

Accepted shapes: GET with ``query``; POST ``application/x-www-form-urlencoded`` with ``query``
or ``update``; POST ``application/sparql-query`` or ``application/sparql-update`` with the
operation as a UTF-8 body. Unknown parameters (SPARQLWrapper's ``results``…) are ignored.
Percent-encoded text must be UTF-8; invalid bytes are a 400, never silently replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from flask import Request
from pyoxigraph import NamedNode

from server.errors import ApiError

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass
class Operation:
    """A parsed protocol request."""

    kind: str
    """``query``, ``update`` or ``none`` (GET without query: service description)."""
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def graphs(self, name: str) -> list[str] | None:
        """Values of a dataset parameter such as ``default-graph-uri`` (None if absent).

        Each value must be an absolute IRI (400 otherwise).
        """
        values = self.params.get(name)
        return [check_iri(value, f"`{name}`") for value in values] if values else None

    def param(self, *names: str) -> str | None:
        """First value of the first present parameter among ``names``."""
        for name in names:
            values = self.params.get(name)
            if values:
                return values[0]
        return None


def check_iri(value: str, where: str) -> str:
    """Return ``value`` if it is an absolute IRI, else raise a 400 :class:`ApiError`."""
    try:
        NamedNode(value)
    except ValueError as exc:
        raise ApiError(400, "Bad graph IRI", f"The {where} value is not an absolute IRI: {exc}.") from exc
    return value


def _parse_qs(raw: bytes, where: str) -> dict[str, list[str]]:
    try:
        text = raw.decode("ascii")
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "Bad encoding", f"The {where} is not valid percent-encoded UTF-8.") from exc


def _decode_body(request: Request, media: str) -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise ApiError(
            400,
            "Bad encoding",
            f"{media} bodies must be UTF-8 (SPARQL 1.1 Protocol §2.1.3), not {charset}.",
        )
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "Bad encoding", "The request body is not valid UTF-8.") from exc


def _merge(*dicts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in dicts:
        for key, values in d.items():
            out.setdefault(key, []).extend(values)
    return out


def parse(request: Request) -> Operation:
    """Turn ``request`` into an :class:`Operation` or raise a 4xx :class:`ApiError`."""
    url_params = _parse_qs(request.query_string, "query string")
    if request.method in {"GET", "HEAD"}:
        if "update" in url_params:
            raise ApiError(
                400, "Update via GET", "Updates must be sent with POST (SPARQL 1.1 Protocol §2.2)."
            )
        return _single(url_params, "query", default_kind="none")
    media = (request.mimetype or "").lower()
    if media == FORM:
        params = _merge(url_params, _parse_qs(request.get_data(cache=True), "form body"))
        if "query" in params and "update" in params:
            raise ApiError(400, "Query and update", "Send either `query` or `update`, not both.")
        if "update" in params:
            return _single(params, "update")
        return _single(params, "query", missing="POST form has no `query` or `update`.")
    if media in {QUERY_TYPE, UPDATE_TYPE}:
        kind = "query" if media == QUERY_TYPE else "update"
        if "query" in url_params or "update" in url_params:
            raise ApiError(
                400,
                "Operation twice",
                f"With {media} the operation is the body; do not repeat it in the URL.",
            )
        return Operation(kind, _decode_body(request, media), url_params)
    shown = media or "no Content-Type"
    raise ApiError(
        415,
        "Unsupported Media Type",
        f"POST needs {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}, not {shown}.",
    )


def _single(
    params: dict[str, list[str]],
    name: str,
    default_kind: str | None = None,
    missing: str = "",
) -> Operation:
    values = params.get(name, [])
    if len(values) > 1:
        raise ApiError(
            400,
            f"Several {name} parameters",
            f"Exactly one `{name}` is allowed (SPARQL 1.1 Protocol §2).",
        )
    if not values:
        if default_kind is not None:
            return Operation(default_kind, "", params)
        raise ApiError(400, "Missing operation", missing)
    return Operation(name, values[0], params)
