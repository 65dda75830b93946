"""Write a build directory shaped per docs/contract.md from TriG/N-Triples test data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse, serialize

DATA = Path(__file__).parent / "data"
BASE = "https://dprk-kg.example.org/"


def write_build(
    out: Path,
    trig: Path = DATA / "fixture.trig",
    extra: dict[str, Path] | None = None,
) -> Path:
    """Write dataset.nq, manifest.json and void.ttl into ``out``; ``extra`` maps graph → .nt."""
    out.mkdir(parents=True, exist_ok=True)
    quads = list(parse(path=str(trig), format=RdfFormat.TRIG))
    for graph, path in (extra or {}).items():
        quads += [
            Quad(t.subject, t.predicate, t.object, NamedNode(graph))
            for t in parse(path=str(path), format=RdfFormat.N_TRIPLES)
        ]
    quads = sorted(set(quads), key=str)
    nq = serialize(quads, format=RdfFormat.N_QUADS)
    (out / "dataset.nq").write_bytes(nq)
    counts: dict[str, int] = {}
    for quad in quads:
        if not isinstance(quad.graph_name, DefaultGraph):
            counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    void = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        f"<{BASE}dataset> a void:Dataset ; void:triples {len(quads)} ;",
        "  void:subset " + " , ".join(f"<{BASE}dataset/{i}>" for i in range(len(counts))) + " .",
    ]
    for i, (graph, n) in enumerate(sorted(counts.items())):
        void.append(
            f"<{BASE}dataset/{i}> a void:Dataset ; void:triples {n} ; "
            f"<http://www.w3.org/ns/sparql-service-description#name> <{graph}> ."
        )
    (out / "void.ttl").write_text("\n".join(void) + "\n", encoding="utf-8")
    files = {
        name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in ("dataset.nq", "void.ttl")
    }
    manifest = {"base": BASE, "graphs": counts, "inputs_sha256": "test", "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out
