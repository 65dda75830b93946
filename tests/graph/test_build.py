"""The build writes every artefact, deterministically, and the seed stays byte-identical."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from rdflib import Dataset, Graph

from graph.build import ARTEFACTS, is_stale
from graph.config import PROJECT_ROOT

SEED_SHA256 = "ab95a92890afa1efd72ba2c407057a321a2a182301eec21ce363275c4dd9eb86"


def test_seed_article_is_the_shared_file_byte_for_byte():
    data = (PROJECT_ROOT / "seeds" / "000_24d540ed9a0fd9f0.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256
    shared = PROJECT_ROOT.parent / "shared" / "seeds" / "000_24d540ed9a0fd9f0.txt"
    if shared.is_file():
        assert shared.read_bytes() == data


def test_build_writes_every_artefact_and_they_parse(built):
    settings, _ = built
    for name in ARTEFACTS:
        assert (settings.out_dir / name).stat().st_size > 0, name
    dataset = Dataset()
    dataset.parse(settings.out_dir / "dataset.trig", format="trig")
    graphs = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    manifest = json.loads((settings.out_dir / "manifest.json").read_text())
    assert graphs == manifest["graphs"]
    for name in ("asserted", "inferred", "ontology"):
        g = Graph().parse(settings.out_dir / f"{name}.ttl")
        assert len(g) == manifest["graphs"][settings.graph_iri(name)]
    nq = Dataset()
    nq.parse(settings.out_dir / "dataset.nq", format="nquads")
    assert sum(len(g) for g in nq.graphs()) == sum(manifest["graphs"].values())


def test_void_counts_match_the_graphs(built, select):
    settings, result = built
    void = Graph().parse(settings.out_dir / "void.ttl")
    answer = void.query(
        """PREFIX void: <http://rdfs.org/ns/void#> PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
           SELECT ?g ?n WHERE { ?s sd:name ?g ; void:triples ?n }"""
    )
    counts = {str(g): int(n) for g, n in answer}
    for name, graph in result.graphs.items():
        assert counts[settings.graph_iri(name)] == len(graph)


def test_rebuild_in_fresh_processes_is_byte_identical(tmp_path: Path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [sys.executable, "-m", "graph", "build", "--out", str(out)],
            check=True,
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
        )
        outs.append(out)
    for name in ARTEFACTS:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_staleness_follows_the_inputs(built, tmp_path: Path):
    settings, _ = built
    assert not is_stale(settings)
    from dataclasses import replace

    assert is_stale(replace(settings, out_dir=tmp_path / "nothing-here"))
    assert is_stale(replace(settings, base="https://other.example/"))
