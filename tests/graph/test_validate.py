"""SHACL over a GraphView of the three graphs reports exactly what it reports over their copy.

The build validates the union of the ontology, asserted and inferred graphs through a
read-only ``GraphView`` (no copy of the triples, each SPARQL constraint parsed once); these
tests break the seed data in several ways and compare the violations with those pySHACL finds
in one graph holding a copy of every triple, as the build did before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph.config import Settings
from graph.namespaces import DKG, OA
from graph.validate import load_shapes, violations
from graph.views import GraphView


@pytest.fixture(scope="module")
def parts(built) -> tuple[Graph, Graph, Graph, Graph]:
    settings, result = built
    g = result.graphs
    return g["ontology"], g["asserted"], g["inferred"], load_shapes(settings.ontology_dir)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _merged(*graphs: Graph) -> Graph:
    data = Graph()
    for graph in graphs:
        for triple in graph:
            data.add(triple)
    return data


def _wrong_quote(g: Graph) -> None:
    span = sorted(g.subjects(RDF.type, DKG.EvidenceSpan))[0]
    for selector in g.objects(span, OA.hasSelector):
        exact = g.value(selector, OA.exact)
        if exact is not None:
            g.remove((selector, OA.exact, exact))
            g.add((selector, OA.exact, Literal(str(exact)[::-1])))


def _transfer_without_item(g: Graph) -> None:
    transfer = sorted(g.subjects(DKG.transferredItem, None))[0]
    g.remove((transfer, DKG.transferredItem, None))


def _two_claimants(g: Graph) -> None:
    claim = sorted(g.subjects(RDF.type, DKG.Claim))[0]
    g.add((claim, DKG.claimant, URIRef("https://dprk-kg.example.org/entity/russia")))


def _bad_wikidata_link(g: Graph) -> None:
    entity = URIRef("https://dprk-kg.example.org/entity/russia")
    g.add((entity, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/X1")))


def _no_label(g: Graph) -> None:
    claim = sorted(g.subjects(RDF.type, DKG.Claim))[1]
    g.remove((claim, RDFS.label, None))


BREAKS: dict[str, tuple[Callable[[Graph], None], str]] = {
    "quote differs from the article text": (
        _wrong_quote,
        "its quote is not the article text between its offsets",
    ),
    "transfer without an item": (_transfer_without_item, "a transfer says what is transferred"),
    "claim with two claimants": (_two_claimants, "a claim has exactly one claimant"),
    "malformed Wikidata link": (_bad_wikidata_link, "links to at most one Wikidata item"),
    "claim without a label": (_no_label, "needs a label"),
}


def test_the_seed_conforms_through_the_view(parts):
    ontology, asserted, inferred, shapes = parts
    assert violations(GraphView([ontology, asserted, inferred]), shapes) == []


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_the_view_reports_the_violations_of_the_copied_graph(parts, case):
    ontology, asserted, inferred, shapes = parts
    breaker, message = BREAKS[case]
    broken = _copy(asserted)
    breaker(broken)
    expected = violations(_merged(ontology, broken, inferred), shapes)
    assert expected and any(message in line for line in expected), expected
    assert violations(GraphView([ontology, broken, inferred]), shapes) == expected


def test_overlapping_graphs_are_one_union(parts):
    ontology, asserted, inferred, shapes = parts
    broken = _copy(asserted)
    _wrong_quote(broken)
    _two_claimants(broken)
    overlap = _copy(inferred)
    for triple in list(broken)[::4]:  # a quarter of the asserted triples in two graphs
        overlap.add(triple)
    view = GraphView([ontology, broken, overlap])
    merged = _merged(ontology, broken, overlap)
    assert len(view) == len(merged) < len(ontology) + len(broken) + len(overlap)
    assert sorted(view) == sorted(merged)
    claim = sorted(merged.subjects(RDF.type, DKG.Claim))[0]
    for pattern in [
        (claim, None, None),
        (None, RDF.type, DKG.Claim),
        (None, None, DKG.Claim),
        (claim, RDF.type, None),
        (None, DKG.claimant, None),
        (claim, DKG.claimant, None),
    ]:
        assert sorted(view.triples(pattern)) == sorted(merged.triples(pattern)), pattern
    assert sorted(view.objects(claim, DKG.hasEvidence / OA.hasSelector)) == sorted(
        merged.objects(claim, DKG.hasEvidence / OA.hasSelector)
    )
    assert (claim, RDF.type, DKG.Claim) in view and (claim, RDF.type, DKG.Actor) not in view
    assert violations(view, shapes) == violations(merged, shapes)


def test_a_view_is_read_only(parts):
    ontology, *_ = parts
    view = GraphView([ontology])
    with pytest.raises(TypeError):
        view.add((URIRef("urn:x"), RDFS.label, Literal("x")))
    with pytest.raises(TypeError):
        view.remove((None, None, None))


def test_the_build_validates_through_the_view(monkeypatch, tmp_path, built):
    """The build hands pySHACL a GraphView of the three graphs (not a copy)."""
    import graph.build as build_module

    seen = []

    def spy(data, shapes):
        seen.append(data)
        return []

    monkeypatch.setattr(build_module, "violations", spy)
    settings = Settings.from_env(seeds_dir=built[0].seeds_dir, out_dir=tmp_path / "out", base=built[0].base)
    result = build_module.assemble_and_check(settings)
    (data,) = seen
    assert isinstance(data, GraphView)
    assert len(data) == sum(len(g) for g in result.graphs.values())
    assert gc.get_freeze_count() == 0  # the build froze objects between phases, and undid it


def test_the_build_leaves_objects_frozen_by_others_alone(monkeypatch, tmp_path, built):
    import graph.build as build_module

    monkeypatch.setattr(build_module, "violations", lambda data, shapes: [])
    settings = Settings.from_env(
        seeds_dir=built[0].seeds_dir, out_dir=tmp_path / "out", base=built[0].base, reasoner="fast"
    )
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build_module.assemble_and_check(settings)
        # Still frozen (not unfrozen by the build), and nothing of the build's added; frozen
        # objects that were freed meanwhile may lower the count a little.
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
