"""OWL 2 RL reasoning with owlrl, and the noise filter applied to what it adds.

The closure is computed over ontology + asserted together (reasoning over a sub-graph misses
multi-step entailments); only the new triples are kept, in their own graph. Dropped as noise:

1. ``x owl:sameAs x`` for every node (owlrl's eq-ref rule; true of everything, says nothing);
2. triples with a literal in subject position (not RDF; Oxigraph and N-Triples reject them);
3. ``x rdf:type owl:Thing`` (true of every individual);
4. triples whose subject is a term of the ontology or of an external vocabulary (class and
   property hierarchy closure, e.g. ``dkg:Person rdfs:subClassOf prov:Agent`` derived through
   ``dkg:Actor``): the ontology graph already holds the axioms they follow from;
5. owlrl's inconsistency reports (``err:ErrorMessage`` nodes): they are not dropped silently but
   returned as errors, and the build fails on them.
Everything else is kept: types, inverses, chains, transitive closures, sub-property copies.

Two reasoners produce the new triples, both filtered by :func:`filter_closure`: owlrl (the
reference, :func:`closure`) and the fast chainer of ``reason_fast`` (:func:`fast_closure`);
:func:`reason` picks one by the ``reasoner`` setting (``auto`` | ``owlrl`` | ``fast``).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

import owlrl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from .namespaces import ERR, ONTOLOGY_IRI

Triple = tuple[Node, Node, Node]
#: ``auto`` reasons with owlrl below this many input triples (ontology + asserted), with the
#: fast chainer from there on (owlrl takes ~10 s for 10k triples and grows faster than linearly).
AUTO_THRESHOLD = 20_000


@dataclass
class Reasoned:
    """The inferred graph, the inconsistency messages, what the filter dropped, who reasoned."""

    inferred: Graph
    errors: list[str]
    dropped: dict[str, int]
    reasoner: str = "owlrl"


def _is_data(node: object, data_base: str) -> bool:
    """True for IRIs minted for data under ``data_base`` (not ontology terms)."""
    return (
        isinstance(node, URIRef)
        and node.startswith(data_base)
        and not node.startswith(ONTOLOGY_IRI)
    )


class _Stated:
    """Membership in ontology or asserted, without copying either (for the filter)."""

    def __init__(self, *graphs: Graph) -> None:
        self.graphs = graphs

    def __contains__(self, triple: object) -> bool:
        return any(triple in g for g in self.graphs)


def filter_closure(new: Iterable[Triple], stated: Container[Triple], data_base: str,
                   error_nodes: Container[Node] = frozenset()) -> tuple[Graph, dict[str, int]]:
    """Apply the noise filter of this module's docstring to a reasoner's new triples.

    Shared by every reasoner (owlrl here, ``reason_fast``): ``stated`` answers whether a
    triple is already in the ontology or the asserted graph; ``error_nodes`` are the subjects
    of owlrl's inconsistency reports. Returns the inferred graph and the dropped counts.
    """
    dropped = {"reflexive sameAs": 0, "literal subject": 0, "owl:Thing type": 0,
               "vocabulary subject": 0, "error report": 0, "already stated": 0}
    inferred = Graph()
    for s, p, o in new:
        if isinstance(s, Literal):
            dropped["literal subject"] += 1
        elif p == OWL.sameAs and s == o:
            dropped["reflexive sameAs"] += 1
        elif p == RDF.type and o == OWL.Thing:
            dropped["owl:Thing type"] += 1
        elif p == ERR.error or o == ERR.ErrorMessage or isinstance(s, BNode) and s in error_nodes:
            dropped["error report"] += 1
        elif not _is_data(s, data_base):
            dropped["vocabulary subject"] += 1
        elif (s, p, o) in stated:
            dropped["already stated"] += 1
        else:
            inferred.add((s, p, o))
    return inferred, dropped


def closure(ontology: Graph, asserted: Graph, data_base: str) -> Reasoned:
    """New triples entailed by OWL 2 RL (owlrl) over ``ontology`` + ``asserted``, noise removed."""
    # owlrl writes to a destination graph only when it shares the source's store, and its
    # rules must read that destination too (a union dataset), or multi-step entailments
    # such as inverse-then-chain are missed.
    store = Dataset(default_union=True)
    combined = store.graph(URIRef("urn:dprk-kg:reasoning:input"))
    for triple in ontology:
        combined.add(triple)
    for triple in asserted:
        combined.add(triple)
    new = store.graph(URIRef("urn:dprk-kg:reasoning:output"))
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(store, destination=new)

    error_nodes = set(new.subjects(RDF.type, ERR.ErrorMessage))
    errors = sorted(str(message) for node in error_nodes for message in new.objects(node, ERR.error))
    inferred, dropped = filter_closure(new, _Stated(asserted, ontology), data_base, error_nodes)
    return Reasoned(inferred, errors, dropped, "owlrl")


def fast_closure(ontology: Graph, asserted: Graph, data_base: str) -> Reasoned:
    """The same closure with the fast chainer of ``reason_fast`` (same filter)."""
    from .reason_fast import closure as chain

    chained = chain(ontology, asserted)
    inferred, dropped = filter_closure(chained.new, frozenset(), data_base)
    return Reasoned(inferred, chained.errors, dropped, "fast")


def choose(reasoner: str, ontology: Graph, asserted: Graph) -> str:
    """The reasoner to run: ``owlrl`` or ``fast`` as named, or for ``auto`` by input size.

    ``auto`` takes owlrl (the reference) below ``AUTO_THRESHOLD`` input triples and the fast
    chainer from there on, unless the ontology uses OWL the fast chainer does not implement.
    """
    if reasoner in ("owlrl", "fast"):
        return reasoner
    if reasoner != "auto":
        raise ValueError(f"unknown reasoner {reasoner!r} (auto, owlrl or fast)")
    if len(ontology) + len(asserted) < AUTO_THRESHOLD:
        return "owlrl"
    from .reason_fast import UnsupportedOntology, compile_schema

    try:
        compile_schema(ontology)
    except UnsupportedOntology:
        return "owlrl"
    return "fast"


def reason(ontology: Graph, asserted: Graph, data_base: str, reasoner: str = "auto") -> Reasoned:
    """The filtered closure by the reasoner ``choose`` picks (``auto`` | ``owlrl`` | ``fast``)."""
    name = choose(reasoner, ontology, asserted)
    return (fast_closure if name == "fast" else closure)(ontology, asserted, data_base)
