"""A fast OWL 2 RL forward chainer for the constructs the ontology uses.

owlrl (``graph/reason.py``) is the reference: it applies every OWL 2 RL rule to every triple in
rounds until nothing changes, which takes minutes from ~100k triples on. This module compiles
the schema once (sub-class / sub-property closures, domains, ranges, inverses, chains) and then
runs a worklist (semi-naive) chainer over integer-encoded triples: each new triple is processed
once, and joins (transitive properties, property chains, functional properties, equality) look
up only the triples already processed. Rules implemented (names from the OWL 2 RL profile,
tables 4–9):

- cax-sco, cax-eqc1/2, scm-sco/eqc (class hierarchy, precomputed);
- prp-spo1, prp-eqp1/2, scm-spo/eqp (property hierarchy, precomputed); prp-spo2 (chains, any
  length); prp-dom, prp-rng; prp-inv1/2; prp-symp; prp-trp; prp-fp, prp-ifp;
- eq-sym, eq-trans, eq-rep-s/p/o (equality, only when an ``owl:sameAs`` is asserted or derived;
  the reflexive eq-ref is left out: the shared noise filter drops it anyway);
- inconsistencies, returned as messages like owlrl's: cax-dw, cax-adc, cls-nothing2, prp-irp,
  prp-asyp, prp-pdw, eq-diff1.

Anything else of OWL (restrictions, class expressions, keys, …) is refused with
:class:`UnsupportedOntology` rather than silently ignored; ``auto`` then falls back to owlrl.
Only entailments about individuals are computed: schema-level entailments (``scm-*`` outputs,
``x owl:sameAs x``, ``x rdf:type owl:Thing``) are what the shared filter of ``reason.py`` drops
from owlrl's output, so they are never produced here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

# Vocabulary whose semantics this chainer does not implement: its presence refuses the graph.
UNSUPPORTED_PREDICATES = frozenset({
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf, OWL.unionOf,
    OWL.complementOf, OWL.oneOf, OWL.onProperty, OWL.onClass, OWL.maxCardinality,
    OWL.maxQualifiedCardinality, OWL.minCardinality, OWL.cardinality,
    OWL.minQualifiedCardinality, OWL.qualifiedCardinality, OWL.hasKey, OWL.hasSelf,
    OWL.distinctMembers, OWL.sourceIndividual, OWL.assertionProperty, OWL.targetIndividual,
    OWL.targetValue, OWL.onDatatype, OWL.withRestrictions, OWL.datatypeComplementOf,
    OWL.disjointUnionOf,
})
UNSUPPORTED_TYPES = frozenset({
    OWL.Restriction, OWL.AllDifferent, OWL.AllDisjointProperties,
    OWL.NegativePropertyAssertion, OWL.ReflexiveProperty,
})
SCHEMA_PREDICATES = frozenset({
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.propertyChainAxiom, OWL.disjointWith,
    OWL.propertyDisjointWith, OWL.members, RDF.type, RDF.first, RDF.rest,
})


class UnsupportedOntology(ValueError):
    """The graph uses OWL vocabulary this chainer does not implement (use owlrl)."""


@dataclass
class FastReasoned:
    """What the chainer derived: new triples (not in the input) and inconsistency messages."""

    new: list[Triple]
    errors: list[str]
    input_size: int
    stats: dict[str, int] = field(default_factory=dict)


def _closure(direct: dict[Node, set[Node]], node: Node) -> set[Node]:
    """Every node reachable from ``node`` (itself included) along ``direct``."""
    seen = {node}
    stack = [node]
    while stack:
        for nxt in direct.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


@dataclass
class Schema:
    """The schema compiled from the input graph, in terms (not ids)."""

    super_classes: dict[Node, set[Node]]
    super_properties: dict[Node, set[Node]]
    domains: dict[Node, set[Node]]
    ranges: dict[Node, set[Node]]
    inverses: dict[Node, set[Node]]
    symmetric: set[Node]
    transitive: set[Node]
    functional: set[Node]
    inverse_functional: set[Node]
    irreflexive: set[Node]
    asymmetric: set[Node]
    chains: list[tuple[Node, tuple[Node, ...]]]
    disjoint_classes: list[tuple[Node, Node]]
    disjoint_properties: list[tuple[Node, Node]]


def _check_supported(graph: Graph) -> None:
    for p in UNSUPPORTED_PREDICATES:
        for s, _, _ in graph.triples((None, p, None)):
            raise UnsupportedOntology(f"{p.n3()} (on {s.n3()}) is not implemented by the fast "
                                      "reasoner; use reasoner=owlrl")
    for t in UNSUPPORTED_TYPES:
        for s in graph.subjects(RDF.type, t):
            raise UnsupportedOntology(f"{s.n3()} a {t.n3()} is not implemented by the fast "
                                      "reasoner; use reasoner=owlrl")
    for p in (RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range):
        for s, _, o in graph.triples((None, p, None)):
            if isinstance(o, BNode | Literal) or isinstance(s, Literal):
                raise UnsupportedOntology(f"{s.n3()} {p.n3()} {o.n3()}: class expressions are "
                                          "not implemented by the fast reasoner; use owlrl")


def compile_schema(graph: Graph) -> Schema:
    """Compile the axioms of ``graph`` (ontology + asserted) the chainer applies."""
    _check_supported(graph)
    sub_c: dict[Node, set[Node]] = defaultdict(set)
    for s, o in graph.subject_objects(RDFS.subClassOf):
        sub_c[s].add(o)
    for s, o in graph.subject_objects(OWL.equivalentClass):
        sub_c[s].add(o)
        sub_c[o].add(s)
    sub_p: dict[Node, set[Node]] = defaultdict(set)
    for s, o in graph.subject_objects(RDFS.subPropertyOf):
        sub_p[s].add(o)
    for s, o in graph.subject_objects(OWL.equivalentProperty):
        sub_p[s].add(o)
        sub_p[o].add(s)
    for prop in set(sub_p):
        if _closure(sub_p, prop) & SCHEMA_PREDICATES - {prop}:
            raise UnsupportedOntology(f"{prop.n3()} is a sub-property of schema vocabulary; "
                                      "use reasoner=owlrl")
    classes = set(sub_c) | {o for objs in sub_c.values() for o in objs}
    super_classes = {c: _closure(sub_c, c) - {c} for c in classes}
    properties = set(sub_p) | {o for objs in sub_p.values() for o in objs}
    super_properties = {p: _closure(sub_p, p) - {p} for p in properties}

    def by_subject(pred: Node) -> dict[Node, set[Node]]:
        table: dict[Node, set[Node]] = defaultdict(set)
        for s, o in graph.subject_objects(pred):
            table[s].add(o)
        return dict(table)

    inverses: dict[Node, set[Node]] = defaultdict(set)
    for s, o in graph.subject_objects(OWL.inverseOf):
        inverses[s].add(o)
        inverses[o].add(s)
    chains = []
    for prop, head in graph.subject_objects(OWL.propertyChainAxiom):
        steps = tuple(Collection(graph, head))
        if not steps:
            raise UnsupportedOntology(f"empty property chain on {prop.n3()}")
        chains.append((prop, steps))
    disjoint_c = [(s, o) for s, o in graph.subject_objects(OWL.disjointWith)]
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(node, OWL.members)))
        disjoint_c += [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]

    def typed(cls: Node) -> set[Node]:
        return set(graph.subjects(RDF.type, cls))

    return Schema(
        super_classes=super_classes, super_properties=super_properties,
        domains=by_subject(RDFS.domain), ranges=by_subject(RDFS.range),
        inverses=dict(inverses), symmetric=typed(OWL.SymmetricProperty),
        transitive=typed(OWL.TransitiveProperty), functional=typed(OWL.FunctionalProperty),
        inverse_functional=typed(OWL.InverseFunctionalProperty),
        irreflexive=typed(OWL.IrreflexiveProperty), asymmetric=typed(OWL.AsymmetricProperty),
        chains=sorted(chains), disjoint_classes=sorted(disjoint_c),
        disjoint_properties=sorted(graph.subject_objects(OWL.propertyDisjointWith)),
    )


@dataclass
class _Plan:
    """What processing a triple with one predicate derives (ids)."""

    supers: tuple[int, ...] = ()
    inverses: tuple[int, ...] = ()
    domain_types: tuple[int, ...] = ()
    range_types: tuple[int, ...] = ()
    symmetric: bool = False
    transitive: bool = False
    functional: bool = False
    inverse_functional: bool = False
    chains: tuple[tuple[int, tuple[int, ...], int], ...] = ()  # (head, steps, position)


class Chainer:
    """Integer-encoded worklist chainer over one input graph."""

    def __init__(self, schema: Schema) -> None:
        self.ids: dict[Node, int] = {}
        self.terms: list[Node] = []
        self.facts: set[tuple[int, int, int]] = set()
        self.sp: dict[int, dict[int, set[int]]] = {}  # joined predicates: p -> s -> {o}
        self.po: dict[int, dict[int, set[int]]] = {}  # joined predicates: p -> o -> {s}
        self.todo: list[tuple[int, int, int]] = []
        self.type = self.id(RDF.type)
        self.same = self.id(OWL.sameAs)
        self.schema = schema
        self.by_s: dict[int, set[tuple[int, int]]] | None = None  # built once equality appears
        self.by_o: dict[int, set[tuple[int, int]]] | None = None
        self.by_p: dict[int, set[tuple[int, int]]] | None = None
        self.super_classes = {self.id(c): tuple(sorted(self.id(d) for d in ds))
                              for c, ds in schema.super_classes.items() if ds}
        self.plans = self._plans(schema)
        self.joined = {p for p, plan in self.plans.items()
                       if plan.transitive or plan.functional or plan.inverse_functional
                       or plan.chains} | {self.same}
        for p in self.joined:
            self.sp[p] = defaultdict(set)
            self.po[p] = defaultdict(set)

    def id(self, term: Node) -> int:
        """The integer of ``term`` (assigned on first sight)."""
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def _plans(self, schema: Schema) -> dict[int, _Plan]:
        props = (set(schema.super_properties) | set(schema.domains) | set(schema.ranges)
                 | set(schema.inverses) | schema.symmetric | schema.transitive
                 | schema.functional | schema.inverse_functional
                 | {p for _, steps in schema.chains for p in steps})
        plans: dict[int, _Plan] = {}
        for prop in props:
            plans[self.id(prop)] = _Plan(
                supers=tuple(self.id(q) for q in sorted(schema.super_properties.get(prop, ()))),
                inverses=tuple(self.id(q) for q in sorted(schema.inverses.get(prop, ()))),
                domain_types=tuple(self.id(c) for c in sorted(schema.domains.get(prop, ()))),
                range_types=tuple(self.id(c) for c in sorted(schema.ranges.get(prop, ()))),
                symmetric=prop in schema.symmetric, transitive=prop in schema.transitive,
                functional=prop in schema.functional,
                inverse_functional=prop in schema.inverse_functional,
            )
        for head, steps in schema.chains:
            ids = tuple(self.id(p) for p in steps)
            for position, step in enumerate(ids):
                plan = plans[step]
                plan.chains = (*plan.chains, (self.id(head), ids, position))
        return plans

    # ------------------------------------------------------------------ facts
    def add(self, s: int, p: int, o: int) -> None:
        """Record a triple and queue it for processing, unless already known."""
        triple = (s, p, o)
        if triple not in self.facts:
            self.facts.add(triple)
            self.todo.append(triple)

    def load(self, triples: Iterable[Triple]) -> int:
        """Encode and queue the input triples; returns their number."""
        ident = self.id
        for s, p, o in triples:
            self.add(ident(s), ident(p), ident(o))
        return len(self.facts)

    def _index(self, s: int, p: int, o: int) -> None:
        if p in self.sp:
            self.sp[p][s].add(o)
            self.po[p][o].add(s)
        if self.by_s is not None:
            self.by_s.setdefault(s, set()).add((p, o))
            self.by_o.setdefault(o, set()).add((s, p))
            self.by_p.setdefault(p, set()).add((s, o))

    def _start_equality(self) -> None:
        """Index every processed triple by subject, object and predicate (for eq-rep-*)."""
        self.by_s, self.by_o, self.by_p = {}, {}, {}
        pending = set(self.todo)
        for s, p, o in self.facts:
            if (s, p, o) not in pending:
                self.by_s.setdefault(s, set()).add((p, o))
                self.by_o.setdefault(o, set()).add((s, p))
                self.by_p.setdefault(p, set()).add((s, o))

    # ------------------------------------------------------------------ rules
    def _chain(self, head: int, steps: tuple[int, ...], position: int, s: int, o: int) -> None:
        """prp-spo2: extend the edge (s, steps[position], o) left and right to full chains."""
        starts = {s}
        for step in reversed(steps[:position]):
            starts = {x for y in starts for x in self.po[step].get(y, ())}
        ends = {o}
        for step in steps[position + 1:]:
            ends = {z for y in ends for z in self.sp[step].get(y, ())}
        for x in starts:
            for z in ends:
                self.add(x, head, z)

    def _equality(self, s: int, p: int, o: int) -> None:
        """eq-rep-s/p/o for a new triple, and eq-sym/trans/rep for a new owl:sameAs."""
        same = self.sp[self.same]
        for s2 in same.get(s, ()):
            self.add(s2, p, o)
        for p2 in same.get(p, ()):
            self.add(s, p2, o)
        for o2 in same.get(o, ()):
            self.add(s, p, o2)
        if p == self.same and s != o:
            self.add(o, self.same, s)
            for p2, o2 in list(self.by_s.get(s, ())):
                self.add(o, p2, o2)
            for s2, p2 in list(self.by_o.get(s, ())):
                self.add(s2, p2, o)
            for s2, o2 in list(self.by_p.get(s, ())):
                self.add(s2, o, o2)

    def run(self) -> None:
        """Process the worklist to fixpoint."""
        plans, add, type_, same = self.plans, self.add, self.type, self.same
        super_classes = self.super_classes
        while self.todo:
            s, p, o = self.todo.pop()
            if p == same and s != o and self.by_s is None:
                self._start_equality()
            if p in self.sp:  # joins read the index before this triple enters it
                self._joins(s, p, o)
            self._index(s, p, o)
            if p == type_:
                for d in super_classes.get(o, ()):
                    add(s, type_, d)
            plan = plans.get(p)
            if plan is not None:
                for q in plan.supers:
                    add(s, q, o)
                for q in plan.inverses:
                    add(o, q, s)
                for c in plan.domain_types:
                    add(s, type_, c)
                for c in plan.range_types:
                    add(o, type_, c)
                if plan.symmetric:
                    add(o, p, s)
                for head, steps, position in plan.chains:
                    self._chain(head, steps, position, s, o)
            if self.by_s is not None:
                self._equality(s, p, o)

    def _joins(self, s: int, p: int, o: int) -> None:
        plan = self.plans.get(p)
        sp, po = self.sp[p], self.po[p]
        if p == self.same or (plan is not None and plan.transitive):
            for x in list(po.get(s, ())):
                self.add(x, p, o)
            for z in list(sp.get(o, ())):
                self.add(s, p, z)
        if plan is not None and plan.functional:
            for o2 in sp.get(s, ()):
                if o2 != o:
                    self.add(o, self.same, o2)
        if plan is not None and plan.inverse_functional:
            for s2 in po.get(o, ()):
                if s2 != s:
                    self.add(s, self.same, s2)

    # ----------------------------------------------------------------- errors
    def errors(self) -> list[str]:
        """Inconsistencies of the closure, one message each (owlrl's wording where it has one)."""
        t = self.terms
        schema = self.schema
        members: dict[int, set[int]] = defaultdict(set)
        for s, p, o in self.facts:
            if p == self.type:
                members[o].add(s)
        found = []
        for a, b in schema.disjoint_classes:
            for x in sorted(members.get(self.id(a), set()) & members.get(self.id(b), set())):
                found.append(f"Disjoint classes {a} and {b} have a common individual {t[x]}")
        for x in sorted(members.get(self.id(OWL.Nothing), ())):
            found.append(f"{t[x]} is defined of type 'Nothing'")
        pairs = self._pairs
        for prop in sorted(schema.irreflexive):
            found += [f"Irreflexive property {prop} used reflexively on {t[s]}"
                      for s, o in pairs(prop) if s == o]
        for prop in sorted(schema.asymmetric):
            edges = set(pairs(prop))
            found += [f"Asymmetric property {prop} used symmetrically on {t[s]} and {t[o]}"
                      for s, o in sorted(edges) if (o, s) in edges]
        for a, b in schema.disjoint_properties:
            both = set(pairs(a)) & set(pairs(b))
            found += [f"Disjoint properties {a} and {b} link {t[s]} and {t[o]}"
                      for s, o in sorted(both)]
        different = set(pairs(OWL.differentFrom))
        found += [f"{t[s]} and {t[o]} are both owl:sameAs and owl:differentFrom"
                  for s, o in sorted(set(pairs(OWL.sameAs)) & different)]
        return sorted(found)

    def _pairs(self, prop: Node) -> Iterator[tuple[int, int]]:
        pid = self.ids.get(prop)
        if pid is None:
            return iter(())
        return ((s, o) for s, p, o in self.facts if p == pid)

    def new_triples(self, input_facts: set[tuple[int, int, int]]) -> list[Triple]:
        """Derived triples not in the input, as terms."""
        t = self.terms
        return [(t[s], t[p], t[o]) for s, p, o in self.facts - input_facts]


def closure(ontology: Graph, asserted: Graph) -> FastReasoned:
    """Every triple OWL 2 RL entails from ontology + asserted that is not in them (unfiltered)."""
    schema_graph = Graph()
    for triple in ontology:
        schema_graph.add(triple)
    for pred in SCHEMA_PREDICATES | UNSUPPORTED_PREDICATES | {OWL.sameAs}:
        for triple in asserted.triples((None, pred, None)):
            if pred != RDF.type or triple[2] in UNSUPPORTED_TYPES or str(triple[2]).startswith(
                    str(OWL)):
                schema_graph.add(triple)
    chainer = Chainer(compile_schema(schema_graph))
    chainer.load(ontology)
    chainer.load(asserted)
    input_facts = set(chainer.facts)
    chainer.run()
    new = chainer.new_triples(input_facts)
    return FastReasoned(new, chainer.errors(), len(input_facts),
                        {"terms": len(chainer.terms), "facts": len(chainer.facts)})
