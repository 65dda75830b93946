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
"""

from __future__ import annotations

from dataclasses import dataclass

import owlrl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from .namespaces import ERR, ONTOLOGY_IRI


@dataclass
class Reasoned:
    """The inferred graph and owlrl's inconsistency messages."""

    inferred: Graph
    errors: list[str]
    dropped: dict[str, int]


def _is_data(node: object, data_base: str) -> bool:
    """True for IRIs minted for data under ``data_base`` (not ontology terms)."""
    return (
        isinstance(node, URIRef)
        and node.startswith(data_base)
        and not node.startswith(ONTOLOGY_IRI)
    )


def closure(ontology: Graph, asserted: Graph, data_base: str) -> Reasoned:
    """New triples entailed by OWL 2 RL over ``ontology`` + ``asserted``, noise removed."""
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

    errors = sorted(
        str(message)
        for node in new.subjects(RDF.type, ERR.ErrorMessage)
        for message in new.objects(node, ERR.error)
    )
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
        elif p == ERR.error or o == ERR.ErrorMessage or isinstance(s, BNode) and (
            s, RDF.type, ERR.ErrorMessage
        ) in new:
            dropped["error report"] += 1
        elif not _is_data(s, data_base):
            dropped["vocabulary subject"] += 1
        elif (s, p, o) in asserted or (s, p, o) in ontology:
            dropped["already stated"] += 1
        else:
            inferred.add((s, p, o))
    return Reasoned(inferred, errors, dropped)
