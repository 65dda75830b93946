"""Result formats and HTTP content negotiation (RFC 9110 §12.5.1, with q-values).

Three families: SPARQL results (SELECT/ASK), RDF graphs (CONSTRUCT/DESCRIBE, one graph
downloads) and RDF datasets (whole-dataset downloads). In each family the first format is the
default. A ``format``/``output`` request parameter (a short name such as ``json``/``turtle`` or
a media type) overrides ``Accept``; an unrecognised value is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Format:
    """One serialization: a short key, its canonical media type, aliases and file extension."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    extension: str = ""

    @property
    def all_types(self) -> tuple[str, ...]:
        """The canonical media type followed by accepted aliases."""
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        """Content-Type header value (with charset for textual formats)."""
        return f"{self.media_type}; charset=utf-8"


RESULTS = (
    Format("json", "application/sparql-results+json", ("application/json",), ("json", "srj"), "srj"),
    Format(
        "xml",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        ("xml", "srx"),
        "srx",
    ),
    Format("csv", "text/csv", (), ("csv",), "csv"),
    Format("tsv", "text/tab-separated-values", (), ("tsv",), "tsv"),
)
GRAPH = (
    Format("turtle", "text/turtle", ("application/x-turtle",), ("turtle", "ttl"), "ttl"),
    Format("ntriples", "application/n-triples", ("text/plain",), ("nt", "ntriples", "n-triples"), "nt"),
    Format(
        "jsonld",
        "application/ld+json",
        ("application/json",),
        ("jsonld", "json-ld", "json"),
        "jsonld",
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        ("rdfxml", "rdf", "xml", "rdf+xml"),
        "rdf",
    ),
)
DATASET = (
    Format("trig", "application/trig", (), ("trig",), "trig"),
    Format("nquads", "application/n-quads", (), ("nq", "nquads", "n-quads"), "nq"),
    Format(
        "jsonld",
        "application/ld+json",
        ("application/json",),
        ("jsonld", "json-ld", "json"),
        "jsonld",
    ),
)
BY_KEY = {f.key: f for family in (RESULTS, GRAPH, DATASET) for f in family}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Parse an Accept header into ``(media range, q)`` pairs; malformed q counts as 1.

    >>> parse_accept('text/html, application/xml;q=0.9, */*;q=0.8')
    [('text/html', 1.0), ('application/xml', 0.9), ('*/*', 0.8)]
    """
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        ranges.append((media, q))
    return ranges


def quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """q of ``media_type`` under the most specific matching range (0 if none matches)."""
    main, _, sub = media_type.partition("/")
    best_specificity, best_q = -1, 0.0
    for media, q in ranges:
        r_main, _, r_sub = media.partition("/")
        if media == media_type:
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


def exact_quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """q of a range naming ``media_type`` exactly (wildcards ignored; 0 if absent).

    Aliases such as ``text/xml`` count only when named: a ``text/*`` must not select a format
    whose canonical type (the one we answer with) is ``application/...``.
    """
    return max((q for media, q in ranges if media == media_type), default=0.0)


def negotiate(family: tuple[Format, ...], accept: str | None, override: str | None = None) -> Format | None:
    """Choose a format of ``family``: the override if it names one, else the best by Accept.

    Ties keep the family's order (the first format is the server's preference). No Accept
    header means the default. Returns None when nothing is acceptable (answer 406).
    """
    if len(accept or "") + len(override or "") <= 512:  # clients repeat a few headers; memoise those
        return _negotiate_cached(family, accept, override)
    return _negotiate(family, accept, override)


@lru_cache(maxsize=512)
def _negotiate_cached(family: tuple[Format, ...], accept: str | None, override: str | None) -> Format | None:
    return _negotiate(family, accept, override)


def _negotiate(family: tuple[Format, ...], accept: str | None, override: str | None) -> Format | None:
    if override:
        chosen = by_name(family, override)
        if chosen is not None:
            return chosen
    if not accept or not accept.strip():
        return family[0]
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in family:
        q = max([quality(fmt.media_type, ranges)] + [exact_quality(a, ranges) for a in fmt.aliases])
        if q > best_q:
            best, best_q = fmt, q
    return best


def by_name(family: tuple[Format, ...], name: str) -> Format | None:
    """Find a format of ``family`` by short name or media type (parameters ignored)."""
    wanted = name.split(";")[0].strip().lower()
    for fmt in family:
        if wanted in fmt.names or wanted in fmt.all_types:
            return fmt
    return None


def prefers(accept: str | None, media_type: str, over: str) -> bool:
    """True if Accept rates ``media_type`` strictly above ``over``."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    return quality(media_type, ranges) > quality(over, ranges)
