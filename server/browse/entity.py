"""The data of a resource page: label, types, Wikidata link and relations grouped by meaning."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .claims import ClaimCard, Quote, Ref, claims_by_iri, claims_linked_to
from .data import DKG, RDF_TYPE, RDFS_LABEL, Term, graph_iri, labels, select
from .flows import Flow, all_flows
from .iris import article_span_url, iri_base, local_path, sparql_iri

SKOS = "http://www.w3.org/2004/02/skos/core#"
WIKIDATA = "http://www.wikidata.org/entity/"
DESCRIBED_ELSEWHERE = {
    RDF_TYPE,
    RDFS_LABEL,
    f"{SKOS}exactMatch",
    f"{DKG}wikidataStatus",
    f"{DKG}text",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    f"{SKOS}altLabel",
}
"""Outgoing predicates shown in the page head, not among the relations."""
INVERSES = {
    f"{DKG}{p}" for p in ("made", "subjectOf", "mentionedAt", "sent", "received", "deployed", "evidenceFor")
}
"""Entailed inverses of relations that the page already shows from the other side."""
SECTION_IN = {f"{DKG}{p}" for p in ("claimant", "about", "mentions", "refersTo")}
FLOW_ROLES = {
    f"{DKG}{p}": p
    for p in (
        "deployingActor",
        "hostActor",
        "deployedForce",
        "opposingActor",
        "sender",
        "recipient",
        "transferredItem",
        "location",
    )
}


@dataclass(frozen=True)
class Value:
    """The object (or subject) of a relation: a resource or a literal."""

    text: str
    ref: Ref | None = None
    note: str | None = None
    """Language tag or datatype of a literal."""


@dataclass
class Relation:
    """All values of one predicate in one direction."""

    predicate: Ref
    values: list[tuple[Value, bool]] = field(default_factory=list)
    """``(value, inferred)`` pairs."""


@dataclass
class TypeInfo:
    """A class of the resource and whether it is asserted or only inferred."""

    ref: Ref
    asserted: bool


@dataclass
class EntityPage:
    """Everything the resource page shows."""

    iri: str
    path: str
    label: str
    kind: str
    types: list[TypeInfo]
    wikidata: list[Ref]
    wikidata_status: str | None
    comments: list[str]
    alt_labels: list[str]
    deployments: list[tuple[Flow, list[str]]]
    transfers: list[tuple[Flow, list[str]]]
    claims_made: list[ClaimCard]
    claims_about: list[ClaimCard]
    claims_mentioning: list[ClaimCard]
    text_mentions: list[Quote]
    itself: list[ClaimCard]
    outgoing: list[Relation]
    incoming: list[Relation]
    hidden_alignments: int
    article_url: str | None = None


def _value(term: Term, names: dict[str, str]) -> Value:
    if term.is_iri:
        ref = Ref.of(term.value, names)
        return Value(ref.label, ref)
    note = term.lang or (term.datatype.rsplit("#", 1)[-1] if term.datatype else None)
    return Value(term.value, None, note if note != "string" else None)


def _visible(predicate: str) -> bool:
    """dkg: and a few standard predicates; entailed schema/SEM/PROV alignments are summarised."""
    return predicate.startswith(
        (
            DKG,
            SKOS,
            "http://purl.org/dc/terms/",
            "http://www.w3.org/ns/oa#",
            "http://www.w3.org/2000/01/rdf-schema#",
            "http://www.w3.org/2002/07/owl#",
        )
    )


def load(iri: str) -> EntityPage | None:
    """Gather the page of ``iri``; None if the dataset says nothing about it."""
    asserted, inferred = graph_iri("asserted"), graph_iri("inferred")
    node = sparql_iri(iri)
    graphs = f"FILTER(?g IN (<{asserted}>, <{inferred}>))"
    out = select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} {graphs} }}")
    inc = select(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} {graphs} }}")
    if not out and not inc:
        return None
    names = labels(
        {iri}
        | {r[k].value for r in out for k in ("p", "o") if r[k].is_iri}
        | {r[k].value for r in inc for k in ("p", "s") if r[k].is_iri}
    )
    path = local_path(iri) or iri
    kind = path.split("/", 1)[0]

    types: dict[str, bool] = {}
    literals: dict[str, list[str]] = defaultdict(list)
    wikidata: list[Ref] = []
    for row in out:
        p, o, in_asserted = row["p"].value, row["o"], row["g"].value == asserted
        if p == RDF_TYPE and o.is_iri:
            types[o.value] = types.get(o.value, False) or in_asserted
        elif p == f"{SKOS}exactMatch" and o.value.startswith(WIKIDATA):
            ref = Ref(o.value, o.value.removeprefix(WIKIDATA), o.value)
            if ref not in wikidata:
                wikidata.append(ref)
        elif not o.is_iri and o.value not in literals[p]:
            literals[p].append(o.value)

    flows = all_flows()
    roles = _roles(iri, inc)
    involved = [
        (f, sorted(roles.get(f.event.iri, set()) | _ends(iri, f)))
        for f in flows
        if f.event.iri in roles or iri in {f.source.iri, f.target.iri}
    ]
    flow_events = {f.event.iri for f, _ in involved}
    cards = claims_linked_to([iri]).get(iri, [])
    own_claim = claims_by_iri([iri]).get(iri, []) if kind == "claim" else []

    outgoing, hidden_out = _relations(
        out, names, inferred_graph=inferred, skip=DESCRIBED_ELSEWHERE | INVERSES, direction="o"
    )
    incoming, hidden_in = _relations(
        [r for r in inc if not (r["p"].value in FLOW_ROLES and r["s"].value in flow_events)],
        names,
        inferred_graph=inferred,
        skip=SECTION_IN | INVERSES,
        direction="s",
    )
    sorted_types = sorted(
        (TypeInfo(_curie(Ref.of(t, names)), a) for t, a in types.items()),
        key=lambda t: (not t.ref.iri.startswith(DKG), not t.asserted, t.ref.label.lower()),
    )
    return EntityPage(
        iri=iri,
        path=path,
        label=names.get(iri, iri),
        kind=kind,
        types=sorted_types,
        wikidata=wikidata,
        wikidata_status=(literals.get(f"{DKG}wikidataStatus") or [None])[0],
        comments=literals.get("http://www.w3.org/2000/01/rdf-schema#comment", []),
        alt_labels=sorted(literals.get(f"{SKOS}altLabel", [])),
        deployments=[(f, r) for f, r in involved if f.kind == "deployment"],
        transfers=[(f, r) for f, r in involved if f.kind == "transfer"],
        claims_made=[c for c in cards if "claimant" in c.relations],
        claims_about=[c for c in cards if "about" in c.relations],
        claims_mentioning=[c for c in cards if "mentions" in c.relations],
        text_mentions=_text_mentions(iri),
        itself=own_claim,
        outgoing=outgoing,
        incoming=incoming,
        hidden_alignments=hidden_out + hidden_in,
        article_url=_span_article_url(path),
    )


ALIGNED = {
    "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": SKOS,
    "oa": "http://www.w3.org/ns/oa#",
}


def _curie(ref: Ref) -> Ref:
    """Label terms of aligned vocabularies as ``prefix:Name`` (``sem:Actor`` vs ``dkg`` Actor)."""
    for prefix, ns in ALIGNED.items():
        if ref.iri.startswith(ns):
            return Ref(ref.iri, f"{prefix}:{ref.iri.removeprefix(ns)}", ref.url)
    return ref


def _roles(iri: str, incoming: list[dict[str, Term]]) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = defaultdict(set)
    for row in incoming:
        role = FLOW_ROLES.get(row["p"].value)
        if role:
            roles[row["s"].value].add(role)
    return roles


def _ends(iri: str, flow: Flow) -> set[str]:
    ends = set()
    if flow.source.iri == iri:
        ends.add("deployingActor" if flow.kind == "deployment" else "sender")
    if flow.target.iri == iri:
        ends.add("hostActor" if flow.kind == "deployment" else "recipient")
    return ends


def _relations(
    rows: list[dict[str, Term]], names: dict[str, str], *, inferred_graph: str, skip: set[str], direction: str
) -> tuple[list[Relation], int]:
    grouped: dict[str, dict[Value, bool]] = defaultdict(dict)
    hidden = 0
    for row in rows:
        p = row["p"].value
        if p in skip:
            continue
        if not _visible(p):
            hidden += 1
            continue
        value = _value(row[direction], names)
        inferred = row["g"].value == inferred_graph
        grouped[p][value] = grouped[p].get(value, True) and inferred
    relations = [
        Relation(Ref.of(p, names), sorted(vals.items(), key=lambda kv: kv[0].text.lower()))
        for p, vals in grouped.items()
    ]
    return sorted(relations, key=lambda r: r.predicate.label.lower()), hidden


def _text_mentions(iri: str) -> list[Quote]:
    rows = select(
        f"""SELECT DISTINCT ?article ?exact ?start ?end WHERE {{
  ?span dkg:refersTo {sparql_iri(iri)} ; oa:hasSource ?article ; oa:hasSelector ?qs, ?ps .
  ?qs a oa:TextQuoteSelector ; oa:exact ?exact .
  ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}} ORDER BY ?article ?start"""
    )
    quotes = []
    for row in rows:
        start, end = row["start"].as_int(), row["end"].as_int()
        quotes.append(
            Quote(row["exact"].value, start, end, article_span_url(row["article"].value, start, end))
        )
    return sorted(quotes, key=lambda q: (q.start, q.end))


def _span_article_url(path: str) -> str | None:
    parts = path.split("/")
    if parts[0] != "span" or len(parts) < 3:
        return None
    start, _, end = parts[2].partition("-")
    if not (start.isdigit() and end.isdigit()):
        return None
    return article_span_url(f"{iri_base()}article/{parts[1]}", int(start), int(end))
