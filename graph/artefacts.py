"""Write the build's artefacts deterministically and atomically.

Same graphs in, same bytes out: Turtle is rdflib's sorted serialisation with a fixed prefix
set and no blank nodes; TriG is assembled graph by graph in a fixed order; N-Quads lines are
sorted. Files go to a temporary sibling folder which then replaces the output folder in one
step (an atomic exchange on Linux), so a failed or interrupted build never leaves half a set.

Each graph is serialised once: TriG is put together from the graphs' Turtle, N-Quads from
their N-Triples lines. Turtle reads the graph through a ``GraphView`` carrying the project's
prefixes (no copy of the triples); N-Triples lines come from ``ntriples_line``, which writes
each term with rdflib's own N-Triples functions (so the bytes are rdflib's) and remembers the
text of every IRI and blank node it has written.
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
from io import BytesIO
from itertools import compress
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, RDF, VOID, XSD
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.plugins.serializers.turtle import TurtleSerializer

from .namespaces import DKG, ONTOLOGY_IRI, PREFIXES, SD, data_prefixes
from .views import GraphView

GRAPH_ORDER = ("ontology", "asserted", "inferred")
OWL_RL_REGIME = URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
OWL_RL_PROFILE = URIRef("http://www.w3.org/ns/owl-profile/RL")


def project_prefixes(base: str) -> dict[str, object]:
    """Every prefix an artefact may use: the vocabularies' and the data's under ``base``."""
    return {**PREFIXES, **data_prefixes(base)}


def new_graph(base: str) -> Graph:
    """An empty graph carrying exactly the project's prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in project_prefixes(base).items():
        graph.bind(prefix, namespace)
    return graph


class _TurtleSerializer(TurtleSerializer):
    """rdflib's Turtle serialiser, remembering the prefixed name it found for each IRI.

    ``get_pname`` is called for every term of every triple, once while the serialiser collects
    namespaces and again while it writes, and each call splits the IRI anew when it has no
    prefixed name. Its answer depends only on the IRI, the flag and the prefixes bound so far:
    a prefixed name, once found, stays (the namespace manager keeps the split, and re-adding a
    namespace the serialiser holds changes nothing); "none" (None) holds until a new prefix is
    bound, which only a call with ``gen_prefix`` can do (a generated ns1…), so such calls count
    the bindings before and after, and a None found under fewer bindings is asked again.
    """

    def reset(self) -> None:
        super().reset()
        self._pnames: dict[tuple[URIRef, bool], tuple[str | None, int]] = {}
        self._epoch = 0

    def _bindings(self) -> int:
        return sum(1 for _ in self.store.namespaces())

    def get_pname(self, uri, gen_prefix: bool = True):  # type: ignore[override]
        if not isinstance(uri, URIRef):
            return None  # as TurtleSerializer.get_pname answers for literals and blank nodes
        key = (uri, gen_prefix)
        known = self._pnames.get(key)
        if known is not None and (known[0] is not None or known[1] == self._epoch):
            return known[0]
        before = self._bindings() if gen_prefix else 0
        pname = super().get_pname(uri, gen_prefix)
        if gen_prefix and self._bindings() != before:
            self._epoch += 1
        self._pnames[key] = (pname, self._epoch)
        return pname


def turtle(graph: Graph, base: str) -> str:
    """Sorted Turtle of ``graph`` with the project's prefixes."""
    stream = BytesIO()
    _TurtleSerializer(GraphView([graph], project_prefixes(base))).serialize(
        stream, base=None, encoding="utf-8"
    )
    return stream.getvalue().decode("utf-8")


def _term_text(term, known: dict) -> str:
    text = known.get(term)
    if text is None:
        text = term.n3()
        if not isinstance(term, Literal):
            known[term] = text
    return text


def ntriples_line(triple: tuple, known: dict) -> str:
    """The N-Triples line of ``triple`` (no line end), exactly as rdflib's nt serialiser writes it.

    ``known`` maps IRIs and blank nodes to their text, filled as it goes. Literals are written
    each time (two equal literals can be spelt differently, e.g. a language tag's case), an
    object literal with rdflib's ``_quoteLiteral`` as its serialiser does.
    """
    s, p, o = triple
    o_text = _quoteLiteral(o) if isinstance(o, Literal) else _term_text(o, known)
    return f"{_term_text(s, known)} {_term_text(p, known)} {o_text} ."


def ntriples_lines(graph: Graph, known: dict | None = None, triples: list[tuple] | None = None) -> list[str]:
    """The N-Triples lines of ``graph``, without line ends; blank nodes get canonical labels.

    ``known`` is ``ntriples_line``'s memory of term texts (may be shared between graphs);
    ``triples`` the graph's triples when the caller has them at hand already. One line per
    triple, always: a literal holding a character that ``str.splitlines`` takes for a line end
    but N-Triples leaves unescaped (U+2028, U+0085, form feed…) stays on its line.
    """
    triples = list(graph) if triples is None else triples
    if any(isinstance(t, BNode) for triple in triples for t in triple):
        triples = list(to_canonical_graph(graph))
    known = {} if known is None else known
    return [ntriples_line(triple, known) for triple in triples]


def trig_from_turtle(turtles: dict[str, str], iris: dict[str, URIRef]) -> str:
    """A TriG document with one block per named graph, in GRAPH_ORDER, from each graph's Turtle."""
    header: list[str] = []
    blocks: list[str] = []
    for name in GRAPH_ORDER:
        body = []
        for line in turtles[name].splitlines():
            if line.startswith("@prefix"):
                if line not in header:
                    header.append(line)
            elif line.strip():
                body.append("    " + line)
        blocks.append(f"<{iris[name]}> {{\n" + "\n".join(body) + "\n}\n")
    return "\n".join(sorted(header)) + "\n\n" + "\n".join(blocks)


def trig(graphs: dict[str, Graph], iris: dict[str, URIRef], base: str) -> str:
    """A TriG document with one block per named graph, in GRAPH_ORDER."""
    return trig_from_turtle({name: turtle(graphs[name], base) for name in GRAPH_ORDER}, iris)


def nquads_from_lines(lines: dict[str, list[str]], iris: dict[str, URIRef]) -> str:
    """Sorted N-Quads from each named graph's N-Triples lines (``ntriples_lines``)."""
    quads = []
    for name in GRAPH_ORDER:
        graph_term = f" <{iris[name]}> ."
        quads.extend(line[:-1].rstrip() + graph_term for line in lines[name])
    quads.sort()
    return "\n".join(quads) + "\n"


def nquads(graphs: dict[str, Graph], iris: dict[str, URIRef]) -> str:
    """Sorted N-Quads of every named graph."""
    known: dict = {}
    return nquads_from_lines({name: ntriples_lines(graphs[name], known) for name in GRAPH_ORDER}, iris)


def void(
    graphs: dict[str, Graph],
    iris: dict[str, URIRef],
    base: str,
    sources: list[URIRef],
    triples: dict[str, list[tuple]] | None = None,
) -> Graph:
    """VoID description: the dataset, one subset per named graph, counts and partitions.

    ``triples`` holds each graph's triples when the caller has them at hand already.
    """
    g = new_graph(base)
    dataset = URIRef(f"{base}dataset")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("dprk-kg: Russia–North Korea military cooperation", lang="en")))
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Claims about Russia–North Korea military cooperation from news articles, each with its "
                "claimant, source and verbatim evidence span, with an OWL 2 RL closure.",
                lang="en",
            ),
        )
    )
    g.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    g.add((dataset, VOID.vocabulary, URIRef(str(DKG))))
    for ns in (
        "http://www.w3.org/ns/prov#",
        "https://schema.org/",
        "http://semanticweb.cs.vu.nl/2009/11/sem/",
        "http://www.w3.org/ns/oa#",
        "http://www.w3.org/2004/02/skos/core#",
    ):
        g.add((dataset, VOID.vocabulary, URIRef(ns)))
    for source in sources:
        g.add((dataset, DCTERMS.source, source))
    if triples is None:
        triples = {name: list(graphs[name]) for name in GRAPH_ORDER}
    stats = {name: _stats(triples[name]) for name in GRAPH_ORDER}
    union_size = len(set().union(*triples.values()))
    union = tuple(set().union(*(stats[name][i] for name in GRAPH_ORDER)) for i in range(4))
    _counts(g, dataset, union_size, union)
    for name in GRAPH_ORDER:
        subset = URIRef(f"{base}dataset/{name}")
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, iris[name]))
        g.add((subset, DCTERMS.title, Literal(f"{name} graph", lang="en")))
        _counts(g, subset, len(triples[name]), stats[name])
        if name == "inferred":
            g.add((subset, SD.entailmentRegime, OWL_RL_REGIME))
            g.add((subset, SD.entailmentProfile, OWL_RL_PROFILE))
        if name == "ontology":
            g.add((subset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    return g


def _stats(triples: list[tuple]) -> tuple[set, set, set, set]:
    """Distinct subjects, predicates and objects of ``triples``, and its typings (s, class)."""
    if not triples:
        return set(), set(), set(), set()
    subjects, predicates, objects = zip(*triples, strict=True)
    typed = list(map({RDF.type}.__contains__, predicates))
    typings = set(zip(compress(subjects, typed), compress(objects, typed), strict=True))
    return set(subjects), set(predicates), set(objects), typings


def _counts(g: Graph, node: URIRef, size: int, stats: tuple[set, set, set, set]) -> None:
    """VoID counts of ``size`` distinct triples with the ``_stats`` ``stats``."""
    subjects, predicates, objects, typings = stats
    g.add((node, VOID.triples, Literal(size, datatype=XSD.integer)))
    g.add((node, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    g.add((node, VOID.distinctObjects, Literal(len(objects), datatype=XSD.integer)))
    g.add((node, VOID.properties, Literal(len(predicates), datatype=XSD.integer)))
    classes = Counter(cls for _, cls in typings)
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


def write_atomically(
    out_dir: Path, files: dict[str, bytes], before_swap: Callable[[Path], None] | None = None
) -> None:
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


def manifest(
    base: str,
    iris: dict[str, URIRef],
    graphs: dict[str, Graph],
    inputs_sha256: str,
    files: dict[str, bytes],
    report: dict,
) -> bytes:
    """``manifest.json``: base, graph sizes, input and file hashes, build report."""
    doc = {
        "base": base,
        "graphs": {str(iris[name]): len(graphs[name]) for name in GRAPH_ORDER},
        "inputs_sha256": inputs_sha256,
        "files": {name: sha256_bytes(data) for name, data in sorted(files.items())},
        "report": report,
    }
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
