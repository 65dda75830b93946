"""The reasoner's contribution is real, kept apart, and free of owlrl's noise."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from graph.namespaces import DKG, ERR, PROV, SCHEMA
from graph.reason import closure

E = "https://dprk-kg.example.org/entity/"
EV = "https://dprk-kg.example.org/event/"


def test_inferred_graph_holds_facts_absent_from_the_asserted_one(built):
    asserted, inferred = built[1].graphs["asserted"], built[1].graphs["inferred"]
    expected = [
        # property chain location ∘ locatedIn: Kursk Oblast is in Russia
        (URIRef(EV + "north-korean-deployment-2024-11"), DKG.location, URIRef(E + "russia")),
        # property chain sent ∘ recipient (sent is the inverse of sender)
        (URIRef(E + "russia"), DKG.supplied, URIRef(E + "north-korea")),
        (URIRef(E + "north-korea"), DKG.supplied, URIRef(E + "russia")),
        (URIRef(E + "north-korea"), DKG.deployedTroopsTo, URIRef(E + "russia")),
        # symmetric property
        (
            URIRef(EV + "north-korean-military-support-to-russia"),
            DKG.inExchangeFor,
            URIRef(EV + "rice-to-north-korea"),
        ),
        # transitive part-of across articles' events and registry events
        (URIRef(EV + "north-korean-deployment-2024-11"), DKG.partOf, URIRef(E + "russo-ukrainian-war")),
        # transitive broader kinds
        (URIRef(E + "mig-29"), DKG.broader, URIRef(E + "military-aircraft")),
        # subclass typing and alignment
        (URIRef(E + "vladimir-putin"), RDF.type, DKG.Actor),
        (URIRef(E + "vladimir-putin"), RDF.type, PROV.Agent),
        # inverse of claimant, and sub-property of schema:about
        (
            URIRef(E + "kim-jong-un"),
            DKG.made,
            URIRef("https://dprk-kg.example.org/claim/000_24d540ed9a0fd9f0/kim-new-cold-war"),
        ),
        (
            URIRef("https://dprk-kg.example.org/claim/000_24d540ed9a0fd9f0/kim-new-cold-war"),
            SCHEMA.about,
            URIRef(E + "new-cold-war"),
        ),
    ]
    for triple in expected:
        assert triple in inferred, triple
        assert triple not in asserted, triple


def test_inferred_graph_has_no_owlrl_noise(built):
    inferred = built[1].graphs["inferred"]
    assert not any(isinstance(s, Literal) for s in inferred.subjects())
    assert not any(s == o for s, o in inferred.subject_objects(OWL.sameAs))
    assert not list(inferred.subjects(RDF.type, ERR.ErrorMessage))
    assert not list(inferred.subjects(RDF.type, OWL.Thing))
    assert all(
        str(s).startswith("https://dprk-kg.example.org/") and "/ontology" not in str(s)
        for s in inferred.subjects()
    )
    dropped = built[1].dropped
    assert dropped["reflexive sameAs"] > 0 and dropped["literal subject"] > 0


def test_disjoint_top_classes_make_an_inconsistency_visible(built):
    ontology = built[1].graphs["ontology"]
    data = Graph()
    node = URIRef("https://dprk-kg.example.org/entity/confused")
    data.add((node, RDF.type, DKG.Person))
    data.add((node, RDF.type, DKG.Claim))
    result = closure(ontology, data, "https://dprk-kg.example.org/")
    assert result.errors, "owlrl should report the disjointness clash"
