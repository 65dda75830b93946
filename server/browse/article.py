"""The article view: the text of a news article with every evidence span highlighted.

Spans may nest or cross. The text is cut at every span boundary into segments; each segment
covered by at least one span becomes one ``<mark>`` that lists all spans covering it
(``data-spans``), so overlapping spans read as one continuous highlight whose shade deepens
with the number of covering spans. Each span gets an empty anchor ``id="span-<start>-<end>"``
right before its first segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .claims import ClaimCard, Ref, claims_by_iri
from .data import labels, select
from .iris import span_anchor, sparql_iri


@dataclass
class Span:
    """One evidence span of the article, with what rests on it and what it names."""

    iri: str
    start: int
    end: int
    exact: str
    claims: list[ClaimCard] = field(default_factory=list)
    evidence_for: list[Ref] = field(default_factory=list)
    """Non-claim resources (sources, dated events) resting on the span."""
    refers_to: list[Ref] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """Fragment id (``span-<start>-<end>``)."""
        return span_anchor(self.start, self.end)

    @property
    def key(self) -> str:
        """``<start>-<end>``, as listed in a segment's ``data-spans``."""
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class Segment:
    """A run of text between two span boundaries."""

    text: str
    start: int
    covering: tuple[str, ...]
    """Keys of the spans covering this run (empty = plain text)."""
    anchors: tuple[str, ...] = ()
    """Anchors of the spans starting here."""


@dataclass
class Article:
    """An article with its metadata, spans and segmented text."""

    iri: str
    label: str
    text: str
    date: str | None
    date_inferred: bool
    publisher: Ref | None
    spans: list[Span]
    segments: list[Segment]


def segment(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    """Cut ``text`` at every span boundary; code-point offsets, end exclusive.

    >>> [(s.text, s.covering) for s in segment("abcdef", [(1, 4), (2, 6)])]
    [('a', ()), ('b', ('1-4',)), ('cd', ('1-4', '2-6')), ('ef', ('2-6',))]
    """
    valid = sorted({(s, e) for s, e in spans if 0 <= s < e <= len(text)})
    cuts = sorted({0, len(text), *(s for s, _ in valid), *(e for _, e in valid)})
    segments = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = tuple(f"{s}-{e}" for s, e in valid if s <= a and e >= b)
        anchors = tuple(span_anchor(s, e) for s, e in valid if s == a)
        segments.append(Segment(text[a:b], a, covering, anchors))
    return segments


def load(iri: str) -> Article | None:
    """Gather the article ``iri``; None if it is not a news article with a text."""
    node = sparql_iri(iri)
    head = select(
        f"""SELECT ?text ?date ?idate ?publisher WHERE {{
  {node} a dkg:NewsArticle ; dkg:text ?text .
  OPTIONAL {{ {node} dkg:date ?date }} OPTIONAL {{ {node} dkg:inferredDate ?idate }}
  OPTIONAL {{ {node} dkg:publisher ?publisher }}
}} LIMIT 1"""
    )
    if not head:
        return None
    row = head[0]
    spans = _spans(node)
    names = labels({iri} | ({row["publisher"].value} if "publisher" in row else set()))
    date = row.get("date") or row.get("idate")
    return Article(
        iri=iri,
        label=names[iri],
        text=row["text"].value,
        date=date.value if date else None,
        date_inferred="idate" in row,
        publisher=Ref.of(row["publisher"].value, names) if "publisher" in row else None,
        spans=spans,
        segments=segment(row["text"].value, [(s.start, s.end) for s in spans]),
    )


def _spans(node: str) -> list[Span]:
    rows = select(
        f"""SELECT ?span ?start ?end ?exact ?x ?isClaim ?ref WHERE {{
  ?span oa:hasSource {node} ; oa:hasSelector ?ps, ?qs .
  ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?qs a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL {{ ?x dkg:hasEvidence ?span . BIND(EXISTS {{ ?x a dkg:Claim }} AS ?isClaim) }}
  OPTIONAL {{ ?span dkg:refersTo ?ref }}
}}"""
    )
    names = labels({r[k].value for r in rows for k in ("x", "ref") if k in r})
    spans: dict[str, Span] = {}
    claim_iris: dict[str, list[str]] = {}
    for row in rows:
        iri = row["span"].value
        span = spans.get(iri)
        if span is None:
            span = spans[iri] = Span(iri, row["start"].as_int(), row["end"].as_int(), row["exact"].value)
        if "x" in row:
            if row["isClaim"].value == "true":
                claim_iris.setdefault(iri, [])
                if row["x"].value not in claim_iris[iri]:
                    claim_iris[iri].append(row["x"].value)
            else:
                ref = Ref.of(row["x"].value, names)
                if ref not in span.evidence_for:
                    span.evidence_for.append(ref)
        if "ref" in row:
            ref = Ref.of(row["ref"].value, names)
            if ref not in span.refers_to:
                span.refers_to.append(ref)
    cards = claims_by_iri({c for cs in claim_iris.values() for c in cs})
    for iri, claims in claim_iris.items():
        spans[iri].claims = [card for c in claims for card in cards.get(c, [])]
    return sorted(spans.values(), key=lambda s: (s.start, -s.end))
