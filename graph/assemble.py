"""Turn loaded annotations into the asserted RDF graph.

Every statement about the world is tied to the claims that support it, and every claim to its
claimant, the source it is stated in, the article that reports it and the exact text span.
Relation keys of the YAML are object properties of the ontology (``dkg:<key>``); anything the
ontology does not declare is refused, as is any reference to an id that is not defined.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .annotations import Article, Entry, Seeds
from .errors import BuildError
from .iris import Minter
from .namespaces import DKG, OA, SCHEMA, WD
from .quotes import QuoteError, Span, locate

STATUS = {
    "planned": DKG.Planned,
    "agreed": DKG.Agreed,
    "ongoing": DKG.Ongoing,
    "completed": DKG.Completed,
}
HEDGE = {
    "approximately": DKG.Approximately,
    "more-than": DKG.MoreThan,
    "at-least": DKG.AtLeast,
    "up-to": DKG.UpTo,
    "exactly": DKG.Exactly,
}
# Keys with a meaning of their own; every other key of an entry is a relation.
ENTITY_KEYS = {"id", "type", "label", "altLabels", "comment", "wikidata", "wikidataStatus",
               "wikidataBroader", "wikidataClose"}
EVENT_KEYS = ENTITY_KEYS | {"date", "startDate", "status", "quote"}
SOURCE_KEYS = {"id", "type", "label", "comment", "date", "quote"}
SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s|$)|$)")


@dataclass(frozen=True)
class Ref:
    """Where an id is defined and what it names."""

    iri: URIRef
    kind: str  # entity | event | source | article
    types: tuple[str, ...]
    label: str
    file: Path
    line: int


@dataclass
class Assembled:
    """The asserted graph and what the build reports about coverage."""

    graph: Graph
    uncovered: list[tuple[str, str, str]] = field(default_factory=list)  # article, sentence, reason


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def date_literal(value: str | int) -> Literal:
    """A typed literal at the precision written: xsd:gYear, xsd:gYearMonth or xsd:date."""
    text = str(value)
    try:
        if len(text) == 4:
            return Literal(text, datatype=XSD.gYear)
        if len(text) == 7:
            dt.date.fromisoformat(text + "-01")
            return Literal(text, datatype=XSD.gYearMonth)
        dt.date.fromisoformat(text)
        return Literal(text, datatype=XSD.date)
    except ValueError as exc:
        raise ValueError(f"malformed date {text!r}: {exc}") from exc


def number_literal(value: int | float) -> Literal:
    """xsd:integer for whole numbers, xsd:decimal otherwise; NaN and infinities are refused."""
    if isinstance(value, bool):
        raise ValueError(f"malformed number {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"malformed number {value!r}")
        if value.is_integer():
            return Literal(int(value), datatype=XSD.integer)
        return Literal(Decimal(repr(value)), datatype=XSD.decimal)
    return Literal(value, datatype=XSD.integer)


class Assembler:
    """Builds the asserted graph from the seeds, checking every reference on the way."""

    def __init__(self, seeds: Seeds, ontology: Graph, minter: Minter) -> None:
        self.seeds = seeds
        self.minter = minter
        self.graph = Graph()
        self.classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if c.startswith(DKG)}
        self.object_properties = {
            p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if p.startswith(DKG)
        }
        self.refs: dict[str, Ref] = {}
        self.result = Assembled(self.graph)

    # ------------------------------------------------------------------ ids
    def _define(self, slug: str, kind: str, entry: Entry, file: Path) -> None:
        if slug in self.refs:
            first = self.refs[slug]
            raise BuildError(
                f"id {slug!r} is already defined at {first.file.name}:{first.line}",
                file=file, line=entry.line, entry=f"{kind} '{slug}'",
            )
        iri = {
            "entity": self.minter.entity,
            "event": self.minter.event,
            "source": self.minter.source,
        }[kind](slug)
        types = tuple(_as_list(entry.get("type")))
        self.refs[slug] = Ref(iri, kind, types, entry.get("label", slug), file, entry.line)

    def _index(self) -> None:
        for entry in self.seeds.registry["entities"]:
            self._define(entry["id"], "entity", entry, self.seeds.registry_path)
        for article in self.seeds.articles:
            a = article.annotation
            for entry in a.get("sources", []):
                self._define(entry["id"], "source", entry, article.annotation_path)
            for entry in a.get("events", []):
                self._define(entry["id"], "event", entry, article.annotation_path)
            if article.id in self.refs:
                raise BuildError("an article id is also used as an entity id",
                                 file=article.annotation_path, entry=article.id)
            self.refs[article.id] = Ref(
                self.minter.article(article.id), "article", ("NewsArticle",),
                a["article"]["label"], article.annotation_path, a["article"].line,
            )

    def resolve(self, slug: str, file: Path, entry: Entry, what: str) -> Ref:
        """The definition of ``slug``, or a BuildError naming the entry that refers to it."""
        ref = self.refs.get(slug)
        if ref is None:
            raise BuildError(f"unknown entity reference {slug!r}", file=file, line=entry.line,
                             entry=what)
        return ref

    # ------------------------------------------------------------ emitters
    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        """Add one triple."""
        self.graph.add((s, p, o))

    def _types(self, iri: URIRef, entry: Entry, file: Path, what: str) -> None:
        for name in _as_list(entry["type"]):
            cls = DKG[name]
            if cls not in self.classes:
                raise BuildError(f"unknown class {name!r} (not an owl:Class of the ontology)",
                                 file=file, line=entry.line, entry=what)
            self.add(iri, RDF.type, cls)

    def _relations(self, iri: URIRef, entry: Entry, reserved: set[str], file: Path,
                   what: str) -> None:
        for key in sorted(set(entry) - reserved):
            prop = DKG[key]
            if prop not in self.object_properties:
                raise BuildError(f"unknown property {key!r} (not an object property dkg:{key})",
                                 file=file, line=entry.line, entry=what)
            for slug in _as_list(entry[key]):
                self.add(iri, prop, self.resolve(slug, file, entry, what).iri)

    def _labels(self, iri: URIRef, entry: Entry) -> None:
        self.add(iri, RDFS.label, Literal(entry["label"], lang="en"))
        for alt in entry.get("altLabels", []):
            self.add(iri, SKOS.altLabel, Literal(alt, lang="en"))
        if "comment" in entry:
            self.add(iri, RDFS.comment, Literal(entry["comment"], lang="en"))

    def _wikidata(self, iri: URIRef, entry: Entry) -> None:
        if "wikidata" in entry:
            self.add(iri, SKOS.exactMatch, WD[entry["wikidata"]])
            self.add(iri, DKG.wikidataStatus, Literal("verified"))
        elif "wikidataStatus" in entry:
            self.add(iri, DKG.wikidataStatus, Literal(entry["wikidataStatus"]))
        for qid in entry.get("wikidataBroader", []):
            self.add(iri, SKOS.broadMatch, WD[qid])
        for qid in entry.get("wikidataClose", []):
            self.add(iri, SKOS.closeMatch, WD[qid])

    def _date(self, iri: URIRef, spec: Entry, stated: URIRef, inferred: URIRef, file: Path,
              what: str) -> None:
        try:
            literal = date_literal(spec["value"])
        except ValueError as exc:
            raise BuildError(str(exc), file=file, line=spec.line, entry=what) from exc
        self.add(iri, inferred if spec.get("inferred") else stated, literal)
        if "wording" in spec:
            self.add(iri, DKG.dateWording, Literal(spec["wording"], lang="en"))
        if "basis" in spec:
            self.add(iri, DKG.dateBasis, Literal(spec["basis"], lang="en"))

    def _spans(self, article: Article, quotes: Any, entry: Entry, what: str) -> list[URIRef]:
        """Locate each quote in the article and emit its evidence span (once per offsets)."""
        return [iri for iri, _ in self._located(article, quotes, entry, what)]

    def _located(self, article: Article, quotes: Any, entry: Entry,
                 what: str) -> list[tuple[URIRef, Span]]:
        located = []
        for spec in _as_list(quotes):
            try:
                spans = locate(article.text, spec)
            except QuoteError as exc:
                raise BuildError(str(exc), file=article.annotation_path, line=entry.line,
                                 entry=what) from exc
            located.extend((self._emit_span(article, span), span) for span in spans)
        return located

    def _emit_span(self, article: Article, span: Span) -> URIRef:
        iri = self.minter.span(article.id, span.start, span.end)
        if (iri, RDF.type, DKG.EvidenceSpan) in self.graph:
            return iri
        quote_sel = self.minter.selector(iri, "quote")
        position = self.minter.selector(iri, "position")
        self.add(iri, RDF.type, DKG.EvidenceSpan)
        self.add(iri, RDFS.label, Literal(span.exact))
        self.add(iri, OA.hasSource, self.minter.article(article.id))
        self.add(iri, OA.hasSelector, quote_sel)
        self.add(iri, OA.hasSelector, position)
        self.add(quote_sel, RDF.type, OA.TextQuoteSelector)
        self.add(quote_sel, OA.exact, Literal(span.exact))
        self.add(quote_sel, OA.prefix, Literal(span.prefix))
        self.add(quote_sel, OA.suffix, Literal(span.suffix))
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger))
        self.add(position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger))
        return iri

    # ------------------------------------------------------------- sections
    def _registry(self) -> None:
        """Registry entities; their descriptions derive from the registry, not from an article."""
        file = self.seeds.registry_path
        registry = self.minter.registry()
        self.add(registry, RDF.type, PROV.Entity)
        self.add(registry, RDFS.label, Literal("dprk-kg entity registry", lang="en"))
        self.add(registry, RDFS.comment, Literal(
            "Editorial background knowledge shared by all articles (labels, kinds, places, "
            "affiliations, verified Wikidata ids), kept in seeds/entities.yaml.", lang="en"))
        self.add(registry, DCTERMS.identifier, Literal(f"seeds/{file.name}"))
        for entry in self.seeds.registry["entities"]:
            ref = self.refs[entry["id"]]
            what = f"entity '{entry['id']}'"
            self.add(ref.iri, PROV.wasDerivedFrom, registry)
            self._types(ref.iri, entry, file, what)
            self._labels(ref.iri, entry)
            self._wikidata(ref.iri, entry)
            self._relations(ref.iri, entry, ENTITY_KEYS, file, what)

    def _article(self, article: Article) -> URIRef:
        meta = article.annotation["article"]
        file = article.annotation_path
        iri = self.minter.article(article.id)
        self.add(iri, RDF.type, DKG.NewsArticle)
        self.add(iri, RDFS.label, Literal(meta["label"], lang="en"))
        if "comment" in meta:
            self.add(iri, RDFS.comment, Literal(meta["comment"], lang="en"))
        self.add(iri, DCTERMS.identifier, Literal(article.id))
        self.add(iri, SCHEMA.inLanguage, Literal(meta["language"]))
        self.add(iri, DKG.text, Literal(article.text))
        digest = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
        self.add(iri, DKG.sha256, Literal(digest))
        self.add(iri, DKG.publisher, self.resolve(meta["publisher"], file, meta, "article").iri)
        self._date(iri, meta["published"], DKG.date, DKG.inferredDate, file, "article")
        return iri

    def _sources(self, article: Article, article_iri: URIRef) -> None:
        file = article.annotation_path
        for entry in article.annotation.get("sources", []):
            iri = self.refs[entry["id"]].iri
            what = f"source '{entry['id']}'"
            self._types(iri, entry, file, what)
            self._labels(iri, entry)
            self._relations(iri, entry, SOURCE_KEYS, file, what)
            if "date" in entry:
                self._date(iri, entry["date"], DKG.date, DKG.inferredDate, file, what)
            for span in self._spans(article, entry["quote"], entry, what):
                self.add(iri, DKG.hasEvidence, span)
            self.add(article_iri, DKG.cites, iri)

    def _events(self, article: Article) -> None:
        file = article.annotation_path
        for entry in article.annotation.get("events", []):
            iri = self.refs[entry["id"]].iri
            what = f"event '{entry['id']}'"
            self._types(iri, entry, file, what)
            self._labels(iri, entry)
            self._wikidata(iri, entry)
            self._relations(iri, entry, EVENT_KEYS, file, what)
            if "status" in entry:
                self.add(iri, DKG.status, STATUS[entry["status"]])
            if "date" in entry:
                self._date(iri, entry["date"], DKG.date, DKG.inferredDate, file, what)
            if "startDate" in entry:
                self._date(iri, entry["startDate"], DKG.startDate, DKG.inferredStartDate, file,
                           what)
            for span in self._spans(article, entry.get("quote"), entry, what):
                self.add(iri, DKG.hasEvidence, span)

    def _claims(self, article: Article, article_iri: URIRef) -> list[Span]:
        file = article.annotation_path
        seen: set[str] = set()
        evidence: list[Span] = []
        for entry in article.annotation["claims"]:
            slug = entry["id"]
            what = f"claim '{slug}'"
            if slug in seen:
                raise BuildError(f"claim id {slug!r} is used twice in this article", file=file,
                                 line=entry.line, entry=what)
            seen.add(slug)
            iri = self.minter.claim(article.id, slug)
            claimant = self.resolve(entry["claimant"], file, entry, what)
            stated_in = self.resolve(entry["statedIn"], file, entry, what)
            if stated_in.kind not in ("source", "article"):
                raise BuildError(f"statedIn {entry['statedIn']!r} is not a source or article",
                                 file=file, line=entry.line, entry=what)
            self.add(iri, RDF.type, DKG.Claim)
            self.add(iri, RDFS.label, Literal(f"{claimant.label}: {entry['statement']}", lang="en"))
            self.add(iri, DKG.statement, Literal(entry["statement"], lang="en"))
            self.add(iri, DKG.claimant, claimant.iri)
            self.add(iri, DKG.statedIn, stated_in.iri)
            self.add(iri, DKG.reportedIn, article_iri)
            for slug_about in _as_list(entry["about"]):
                self.add(iri, DKG.about, self.resolve(slug_about, file, entry, what).iri)
            for slug_m in _as_list(entry.get("mentions")):
                self.add(iri, DKG.mentions, self.resolve(slug_m, file, entry, what).iri)
            for span_iri, span in self._located(article, entry["quote"], entry, what):
                self.add(iri, DKG.hasEvidence, span_iri)
                evidence.append(span)
            if "value" in entry:
                self._value(article, slug, iri, entry["value"], file, what)
        return evidence

    def _value(self, article: Article, slug: str, claim: URIRef, spec: Entry, file: Path,
               what: str) -> None:
        measure = self.resolve(spec["measure"], file, spec, what)
        if "Measure" not in measure.types:
            raise BuildError(f"measure {spec['measure']!r} is not a Measure of the registry",
                             file=file, line=spec.line, entry=what)
        iri = self.minter.claim_value(article.id, slug)
        self.add(claim, DKG.value, iri)
        self.add(iri, DKG.measure, measure.iri)
        if "date" in spec:
            self.add(iri, RDF.type, DKG.DateValue)
            self._date(iri, spec["date"], DKG.date, DKG.inferredDate, file, what)
            return
        self.add(iri, RDF.type, DKG.MoneyAmount if "currency" in spec else DKG.Quantity)
        try:
            for key, prop in (("value", SCHEMA.value), ("min", SCHEMA.minValue),
                              ("max", SCHEMA.maxValue)):
                if key in spec:
                    self.add(iri, prop, number_literal(spec[key]))
        except ValueError as exc:
            raise BuildError(str(exc), file=file, line=spec.line, entry=what) from exc
        if "min" in spec and spec["min"] > spec["max"]:
            raise BuildError(f"range minimum {spec['min']} exceeds maximum {spec['max']}",
                             file=file, line=spec.line, entry=what)
        if "unit" in spec:
            self.add(iri, SCHEMA.unitText, Literal(spec["unit"]))
        if "unitCode" in spec:
            self.add(iri, SCHEMA.unitCode, Literal(spec["unitCode"]))
        if "currency" in spec:
            self.add(iri, SCHEMA.currency, Literal(spec["currency"]))
        self.add(iri, DKG.hedge, HEDGE[spec.get("hedge", "exactly")])

    def _mentions(self, article: Article) -> None:
        file = article.annotation_path
        mentions = article.annotation.get("mentions", {})
        for slug in sorted(mentions):
            ref = self.resolve(slug, file, mentions, f"mentions '{slug}'")
            for span in self._spans(article, mentions[slug], mentions, f"mentions '{slug}'"):
                self.add(span, DKG.refersTo, ref.iri)

    def _coverage(self, article: Article, evidence: Iterable[Span]) -> None:
        """Record sentences no claim's evidence touches, with the annotators' reason if given."""
        ranges = [(span.start, span.end) for span in evidence]
        reasons: dict[str, str] = {}
        for item in article.annotation.get("uncovered", []):
            try:
                for span in locate(article.text, item["quote"]):
                    reasons[span.exact] = item["reason"]
            except QuoteError as exc:
                raise BuildError(str(exc), file=article.annotation_path, line=item.line,
                                 entry="uncovered") from exc
        for match in SENTENCE.finditer(article.text):
            s, e = match.span()
            if match.group().strip() and not any(a < e and s < b for a, b in ranges):
                sentence = match.group().strip()
                reason = next((r for q, r in reasons.items() if q in sentence), "no reason given")
                self.result.uncovered.append((article.id, sentence, reason))

    # ------------------------------------------------------------------ run
    def run(self) -> Assembled:
        """Assemble the asserted graph, or raise BuildError at the first bad entry."""
        self._index()
        self._registry()
        for article in self.seeds.articles:
            article_iri = self._article(article)
            self._sources(article, article_iri)
            self._events(article)
            evidence = self._claims(article, article_iri)
            self._mentions(article)
            self._coverage(article, evidence)
        return self.result
