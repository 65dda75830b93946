"""Mint stable, readable IRIs under one configurable base.

Ids come from the annotations (lower-case slugs), offsets from the located quotes, so the
same inputs always give the same IRIs, and an IRI says what it names.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import URIRef


class Minter:
    """IRIs for every kind of node, under ``base``."""

    def __init__(self, base: str) -> None:
        self.base = base

    def _iri(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(quote(p, safe="-_.") for p in parts))

    def entity(self, slug: str) -> URIRef:
        """An actor, place, kind of item, measure or background event of the registry."""
        return self._iri("entity", slug)

    def event(self, slug: str) -> URIRef:
        """An event annotated in an article."""
        return self._iri("event", slug)

    def source(self, slug: str) -> URIRef:
        """A report, letter, statement or estimate an article cites."""
        return self._iri("source", slug)

    def article(self, article_id: str) -> URIRef:
        """A news article the graph is built from."""
        return self._iri("article", article_id)

    def claim(self, article_id: str, slug: str) -> URIRef:
        """A claim reported in an article."""
        return self._iri("claim", article_id, slug)

    def claim_value(self, article_id: str, slug: str) -> URIRef:
        """The number, range or date a claim states."""
        return self._iri("claim", article_id, slug, "value")

    def span(self, article_id: str, start: int, end: int) -> URIRef:
        """A span of article text, by its offsets."""
        return self._iri("span", article_id, f"{start}-{end}")

    def selector(self, span: URIRef, kind: str) -> URIRef:
        """The ``quote`` or ``position`` selector of a span."""
        return URIRef(f"{span}/{kind}")

    def registry(self) -> URIRef:
        """The entity registry: editorial background knowledge shared by all articles."""
        return self._iri("registry")

    def graph(self, name: str) -> URIRef:
        """A named graph of the dataset."""
        return self._iri("graph", name)
