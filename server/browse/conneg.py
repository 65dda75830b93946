"""Which representation of a resource to answer: HTML or one of the RDF graph formats.

* A file suffix (``.html``, ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``) fixes the format.
* Otherwise ``Accept`` decides (q-values honoured, see ``server.formats``): HTML when
  ``text/html`` (or ``application/xhtml+xml``) is rated at least as high as every RDF format and
  is named explicitly — browsers always name it; RDF formats otherwise. No ``Accept`` or
  ``*/*`` alone gives Turtle, the data server's default. Nothing acceptable gives 406.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.formats import GRAPH, Format, negotiate, parse_accept, quality

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Representation:
    """A negotiated representation: ``html`` or an RDF graph format."""

    extension: str
    media_type: str
    fmt: Format | None = None
    """The RDF format (None for HTML)."""

    @property
    def is_html(self) -> bool:
        """True for the HTML page."""
        return self.fmt is None

    @property
    def content_type(self) -> str:
        """Content-Type header value."""
        return f"{self.media_type}; charset=utf-8"


HTML = Representation("html", "text/html")
RDF = tuple(Representation(f.extension, f.media_type, f) for f in GRAPH)
ALL = (HTML, *RDF)
BY_EXTENSION = {r.extension: r for r in ALL}


def split_suffix(rest: str) -> tuple[str, Representation | None]:
    """``russia.ttl`` → ``("russia", Turtle)``; without a known suffix → ``(rest, None)``."""
    stem, dot, ext = rest.rpartition(".")
    if dot and stem and ext in BY_EXTENSION:
        return stem, BY_EXTENSION[ext]
    return rest, None


def choose(accept: str | None) -> Representation | None:
    """The representation ``accept`` prefers (None = nothing acceptable → 406)."""
    if not accept or not accept.strip():
        return RDF[0]
    ranges = parse_accept(accept)
    html_q = max(quality(t, ranges) for t in HTML_TYPES)
    named = any(media in HTML_TYPES for media, _ in ranges)
    fmt = negotiate(GRAPH, accept)
    rdf_q = 0.0
    if fmt is not None:
        rdf_q = max(quality(t, ranges) for t in fmt.all_types if "/" in t)
    if html_q > 0 and (html_q > rdf_q or (named and html_q >= rdf_q)):
        return HTML
    if fmt is None:
        return None
    return next(r for r in RDF if r.fmt == fmt)


def link_header(document_url: str) -> str:
    """``Link`` value: every format's document as ``alternate``, Turtle also as ``describedby``."""
    links = []
    for rep in ALL:
        rel = "alternate describedby" if rep is RDF[0] else "alternate"
        links.append(f'<{document_url}.{rep.extension}>; rel="{rel}"; type="{rep.media_type}"')
    return ", ".join(links)
