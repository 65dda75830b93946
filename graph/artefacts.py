"""Write the build's artefacts deterministically and atomically.

Same graphs in, same bytes out: Turtle is rdflib's sorted serialisation with a fixed prefix
set and no blank nodes; TriG is assembled graph by graph in a fixed order; N-Quads lines are
sorted. Files go to a temporary sibling folder which then replaces the output folder in one
step (an atomic exchange on Linux), so a failed or interrupted build never leaves half a set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from .namespaces import DKG, ONTOLOGY_IRI, PREFIXES, SD, data_prefixes

GRAPH_ORDER = ("ontology", "asserted", "inferred")
OWL_RL_REGIME = URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
OWL_RL_PROFILE = URIRef("http://www.w3.org/ns/owl-profile/RL")


def new_graph(base: str) -> Graph:
    """An empty graph carrying exactly the project's prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for prefix, namespace in data_prefixes(base).items():
        graph.bind(prefix, namespace)
    return graph


def _copy(graph: Graph, base: str) -> Graph:
    copy = new_graph(base)
    for triple in graph:
        copy.add(triple)
    return copy


def turtle(graph: Graph, base: str) -> str:
    """Sorted Turtle of ``graph`` with the project's prefixes."""
    return _copy(graph, base).serialize(format="turtle")


def ntriples_lines(graph: Graph) -> list[str]:
    """The N-Triples lines of ``graph``, without line ends; blank nodes get canonical labels."""
    has_bnodes = any(isinstance(t, BNode) for triple in graph for t in triple)
    canonical = to_canonical_graph(graph) if has_bnodes else graph
    return [line for line in canonical.serialize(format="nt").splitlines() if line.strip()]


def trig(graphs: dict[str, Graph], iris: dict[str, URIRef], base: str) -> str:
    """A TriG document with one block per named graph, in GRAPH_ORDER."""
    header: list[str] = []
    blocks: list[str] = []
    for name in GRAPH_ORDER:
        body = []
        for line in turtle(graphs[name], base).splitlines():
            if line.startswith("@prefix"):
                if line not in header:
                    header.append(line)
            elif line.strip():
                body.append("    " + line)
        blocks.append(f"<{iris[name]}> {{\n" + "\n".join(body) + "\n}\n")
    return "\n".join(sorted(header)) + "\n\n" + "\n".join(blocks)


def nquads(graphs: dict[str, Graph], iris: dict[str, URIRef]) -> str:
    """Sorted N-Quads of every named graph."""
    lines = []
    for name in GRAPH_ORDER:
        for line in ntriples_lines(graphs[name]):
            lines.append(f"{line[:-1].rstrip()} <{iris[name]}> .")
    return "\n".join(sorted(lines)) + "\n"


def void(graphs: dict[str, Graph], iris: dict[str, URIRef], base: str,
         sources: list[URIRef]) -> Graph:
    """VoID description: the dataset, one subset per named graph, counts and partitions."""
    g = new_graph(base)
    dataset = URIRef(f"{base}dataset")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("dprk-kg: Russia–North Korea military cooperation", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Claims about Russia–North Korea military cooperation from news articles, each with its "
        "claimant, source and verbatim evidence span, with an OWL 2 RL closure.", lang="en")))
    g.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    g.add((dataset, VOID.vocabulary, URIRef(str(DKG))))
    for ns in ("http://www.w3.org/ns/prov#", "https://schema.org/",
               "http://semanticweb.cs.vu.nl/2009/11/sem/", "http://www.w3.org/ns/oa#",
               "http://www.w3.org/2004/02/skos/core#"):
        g.add((dataset, VOID.vocabulary, URIRef(ns)))
    for source in sources:
        g.add((dataset, DCTERMS.source, source))
    union = Graph()
    for name in GRAPH_ORDER:
        for triple in graphs[name]:
            union.add(triple)
    _counts(g, dataset, union)
    for name in GRAPH_ORDER:
        subset = URIRef(f"{base}dataset/{name}")
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, iris[name]))
        g.add((subset, DCTERMS.title, Literal(f"{name} graph", lang="en")))
        _counts(g, subset, graphs[name])
        if name == "inferred":
            g.add((subset, SD.entailmentRegime, OWL_RL_REGIME))
            g.add((subset, SD.entailmentProfile, OWL_RL_PROFILE))
        if name == "ontology":
            g.add((subset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    return g


def _counts(g: Graph, node: URIRef, data: Graph) -> None:
    g.add((node, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    g.add((node, VOID.distinctSubjects, Literal(len(set(data.subjects())), datatype=XSD.integer)))
    g.add((node, VOID.distinctObjects, Literal(len(set(data.objects())), datatype=XSD.integer)))
    g.add((node, VOID.properties, Literal(len(set(data.predicates())), datatype=XSD.integer)))
    classes = Counter(o for o in data.objects(None, RDF.type))
    g.add((node, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        if not str(cls).startswith(str(DKG)):
            continue
        partition = URIRef(f"{node}/class/{cls.split('#')[-1]}")
        g.add((node, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def write_atomically(out_dir: Path, files: dict[str, bytes],
                     before_swap: Callable[[Path], None] | None = None) -> None:
    """Write ``files`` into a fresh folder, then put it in place of ``out_dir`` in one step.

    ``before_swap`` (tests) is called with the temporary folder once every file is written.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        for name, data in sorted(files.items()):
            path = tmp / name
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if before_swap is not None:
            before_swap(tmp)
        if out_dir.exists() and _exchange(tmp, out_dir):
            shutil.rmtree(tmp)  # tmp now holds the previous artefacts
            return
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            old.rmdir()
            os.rename(out_dir, old)
            os.rename(tmp, out_dir)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def manifest(base: str, iris: dict[str, URIRef], graphs: dict[str, Graph], inputs_sha256: str,
             files: dict[str, bytes], report: dict) -> bytes:
    """``manifest.json``: base, graph sizes, input and file hashes, build report."""
    doc = {
        "base": base,
        "graphs": {str(iris[name]): len(graphs[name]) for name in GRAPH_ORDER},
        "inputs_sha256": inputs_sha256,
        "files": {name: sha256_bytes(data) for name, data in sorted(files.items())},
        "report": report,
    }
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
