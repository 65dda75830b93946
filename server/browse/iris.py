"""Mapping between the dataset's IRIs and the server's public URLs.

The IRI base (``manifest.json`` → ``base``, e.g. ``https://dprk-kg.example.org/``) names the
resources; the server answers at its public root (``public_base_url`` or the request's URL
root). ``{base}entity/russia`` is therefore served at ``{root}entity/russia`` whatever host the
IRIs use, and every link in a page points at the public URL.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from server.state import root_url, state

KINDS = ("entity", "event", "source", "article", "claim", "span")
"""First path segment of every browsable IRI in our namespace."""

_SAFE_REST = re.compile(r"^[A-Za-z0-9._~\-]+(/[A-Za-z0-9._~\-]+)*$")
_FORBIDDEN_IN_IRI = re.compile(r"[\x00-\x20<>\"{}|^`\\]")


def iri_base() -> str:
    """The IRI base of the served dataset (ends with '/')."""
    return state().artefacts.base


def iri_for(kind: str, rest: str) -> str | None:
    """IRI of ``{kind}/{rest}`` in our namespace, or None if ``rest`` is not a plausible id."""
    if kind not in KINDS or not _SAFE_REST.match(rest):
        return None
    return f"{iri_base()}{kind}/{rest}"


def local_path(iri: str) -> str | None:
    """``kind/rest`` of a browsable IRI of ours, or None for any other IRI."""
    base = iri_base()
    if not iri.startswith(base):
        return None
    path = iri[len(base) :]
    kind, _, rest = path.partition("/")
    if kind not in KINDS or not rest or not _SAFE_REST.match(rest):
        return None
    return path


def url(path: str = "") -> str:
    """Public URL of an app path (``url("graph")`` → ``{root}graph``)."""
    return root_url() + path.lstrip("/")


def page_url(iri: str) -> str | None:
    """Public URL where a browsable IRI of ours resolves, or None."""
    path = local_path(iri)
    return url(path) if path is not None else None


def span_anchor(start: int, end: int) -> str:
    """Fragment id of an evidence span in the article view."""
    return f"span-{start}-{end}"


def article_span_url(article_iri: str, start: int, end: int) -> str | None:
    """Public URL of a span highlighted in its article view (``/article/<id>#span-s-e``)."""
    page = page_url(article_iri)
    return f"{page}#{span_anchor(start, end)}" if page else None


def sparql_iri(iri: str) -> str:
    """``<iri>`` for a SPARQL query; raises ValueError on characters an IRIREF cannot hold."""
    if _FORBIDDEN_IN_IRI.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def query_page_url(query: str) -> str:
    """Public URL of the query page opening a tab with ``query``."""
    return url("") + "?query=" + quote(query, safe="")
