"""The fast chainer (graph/reason_fast.py) entails what owlrl entails, after the shared filter.

Compared on the seed graph, on a small synthetic corpus (bench/generate.py), on a graph with a
functional-property clash (equality: owlrl's eq-* rules) and on an inconsistent graph. Known
differences, none of which reaches the inferred graph:

- the "dropped" counts differ: owlrl derives the noise the filter removes (``x owl:sameAs x``,
  literal subjects, ``owl:Thing`` types, schema-level ``scm-*`` triples); the chainer derives
  almost none of it, so ``manifest.json`` reports other counts and ``"reasoner"``;
- inconsistency messages are worded differently (both name the rule's terms and fail the build).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graph.annotations import load_seeds
from graph.assemble import Assembler
from graph.build import BuildResult, build
from graph.config import PROJECT_ROOT, Settings
from graph.iris import Minter
from graph.namespaces import DKG
from graph.ontology import load_ontology
from graph.reason import AUTO_THRESHOLD, choose, closure, fast_closure, reason
from graph.reason_fast import UnsupportedOntology, compile_schema

BASE = "https://dprk-kg.example.org/"


def _load_generator():
    """bench/generate.py (bench/ is a folder of scripts, not an installed package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", PROJECT_ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


generate = _load_generator().generate
ONTOLOGY = load_ontology(PROJECT_ROOT / "ontology")


def asserted_graph(seeds: Path) -> Graph:
    """The asserted graph the build assembles from ``seeds``."""
    return Assembler(load_seeds(seeds), ONTOLOGY, Minter(BASE)).run().graph


def assert_same_closure(asserted: Graph) -> int:
    """Both reasoners give the same inferred graph and the same verdict; returns its size."""
    reference = closure(ONTOLOGY, asserted, BASE)
    fast = fast_closure(ONTOLOGY, asserted, BASE)
    only_owlrl = set(reference.inferred) - set(fast.inferred)
    only_fast = set(fast.inferred) - set(reference.inferred)
    assert not only_owlrl and not only_fast, (sorted(only_owlrl)[:10], sorted(only_fast)[:10])
    assert bool(reference.errors) == bool(fast.errors)
    return len(fast.inferred)


@pytest.fixture(scope="module")
def seed_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, BuildResult]]:
    """The seeds built once with each reasoner."""
    builds = {}
    for name in ("owlrl", "fast"):
        out = tmp_path_factory.mktemp(name) / "out"
        builds[name] = out, build(Settings(base=BASE, out_dir=out, reasoner=name))
    return builds


def test_same_inferred_graph_as_owlrl_on_the_seeds(seed_builds) -> None:
    reference, fast = (seed_builds[n][1] for n in ("owlrl", "fast"))
    assert (reference.reasoner, fast.reasoner) == ("owlrl", "fast")
    assert set(reference.graphs["inferred"]) == set(fast.graphs["inferred"])
    assert len(fast.graphs["inferred"]) > 1000


def test_same_inferred_graph_as_owlrl_on_a_synthetic_corpus(tmp_path: Path) -> None:
    """One generated article (two events) next to the seed article: new actors, regions, items."""
    seeds = generate(tmp_path / "seeds", articles=1, seed=3, events_per_article=2)
    assert assert_same_closure(asserted_graph(seeds)) > 2000


def _event(name: str) -> URIRef:
    return URIRef(f"{BASE}event/{name}")


def test_functional_clash_gives_owlrl_equality_entailments() -> None:
    """dkg:status is functional: two statuses make them owl:sameAs, copied everywhere (eq-rep)."""
    g = Graph()
    a, b = _event("a"), _event("b")
    g.add((a, RDF.type, DKG.Deployment))
    g.add((a, DKG.status, DKG.Planned))
    g.add((a, DKG.status, DKG.Completed))
    g.add((b, DKG.status, DKG.Completed))
    g.add((a, DKG.partOf, b))
    fast = fast_closure(ONTOLOGY, g, BASE)
    assert (b, DKG.status, DKG.Planned) in fast.inferred  # eq-rep-o through the sameAs
    assert (b, DKG.hasPart, a) in fast.inferred
    assert_same_closure(g)


def test_disjoint_classes_are_reported_by_both() -> None:
    g = Graph()
    x = URIRef(f"{BASE}entity/x")
    g.add((x, RDF.type, DKG.Person))
    g.add((x, RDF.type, DKG.NewsArticle))
    fast = fast_closure(ONTOLOGY, g, BASE)
    assert fast.errors and "Disjoint classes" in fast.errors[0]
    assert closure(ONTOLOGY, g, BASE).errors


def test_chains_transitivity_and_inverses_compose() -> None:
    """location∘locatedIn (prp-spo2) over a derived transitive edge, then sub-property."""
    g = Graph()
    e, town, region, state = (URIRef(f"{BASE}entity/{n}") for n in ("e", "t", "r", "s"))
    g.add((e, DKG.location, town))
    g.add((town, DKG.locatedIn, region))
    g.add((region, DKG.locatedIn, state))
    inferred = fast_closure(ONTOLOGY, g, BASE).inferred
    assert (e, DKG.location, state) in inferred
    assert (e, URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace"), state) in inferred
    assert (state, RDF.type, DKG.Place) in inferred
    assert_same_closure(g)


def test_unsupported_owl_is_refused_not_ignored() -> None:
    ontology = Graph()
    for triple in ONTOLOGY:
        ontology.add(triple)
    restriction = BNode()
    ontology.add((DKG.Veteran, RDFS.subClassOf, restriction))
    ontology.add((restriction, RDF.type, OWL.Restriction))
    ontology.add((restriction, OWL.onProperty, DKG.participant))
    ontology.add((restriction, OWL.someValuesFrom, DKG.ArmedConflict))
    with pytest.raises(UnsupportedOntology):
        compile_schema(ontology)
    with pytest.raises(UnsupportedOntology):
        fast_closure(ontology, Graph(), BASE)
    big = Graph()
    for i in range(AUTO_THRESHOLD):
        big.add((URIRef(f"{BASE}entity/n{i}"), RDFS.label, Literal(str(i))))
    assert choose("auto", ontology, big) == "owlrl"  # falls back to the reference
    assert choose("auto", ONTOLOGY, big) == "fast"
    assert choose("auto", ONTOLOGY, Graph()) == "owlrl"
    assert reason(ONTOLOGY, Graph(), BASE, "fast").reasoner == "fast"


def test_reasoner_setting_from_env_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DPRK_KG_REASONER", "fast")
    assert Settings.from_env().reasoner == "fast"
    assert Settings.from_env(reasoner="owlrl").reasoner == "owlrl"
    assert Settings().reasoner == "auto"
    with pytest.raises(ValueError):
        Settings(reasoner="pellet")


def test_build_artefacts_are_byte_identical_whichever_reasoner(seed_builds) -> None:
    """Only manifest.json differs (reasoner name and the noise counts)."""
    owlrl_out, fast_out = seed_builds["owlrl"][0], seed_builds["fast"][0]
    names = sorted(p.name for p in owlrl_out.iterdir())
    assert names == sorted(p.name for p in fast_out.iterdir())
    for name in names:
        if name != "manifest.json":
            assert (owlrl_out / name).read_bytes() == (fast_out / name).read_bytes(), name
