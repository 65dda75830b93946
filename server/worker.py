"""The query executor: runs in a child process that owns an in-memory pyoxigraph Store.

The parent (a web worker) sends one request dict at a time over a ``multiprocessing`` pipe and
gets one reply dict with serialized bytes. The parent kills the child when a request exceeds
its timeout, which is the only way to stop a running pyoxigraph query and free its CPU.

Requests (``op``): ``query``, ``update``, ``dump``, ``stats``. Replies: ``{"ok": True, ...}`` or
``{"ok": False, "status": int, "title": str, "detail": str}``.
"""

from __future__ import annotations

import itertools
import json
import sys
import xml.parsers.expat
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    serialize,
)

from server import results

RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "trig": RdfFormat.TRIG,
    "nquads": RdfFormat.N_QUADS,
}


@dataclass(frozen=True)
class StoreSpec:
    """What a child needs to build its store: the N-Quads file and the default graph IRIs."""

    dataset_path: Path
    default_graphs: tuple[str, ...]
    prefixes: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str:
        """Encode for the child's command line."""
        return json.dumps({**asdict(self), "dataset_path": str(self.dataset_path)})

    @classmethod
    def from_json(cls, text: str) -> StoreSpec:
        """Decode :meth:`to_json`."""
        doc = json.loads(text)
        return cls(
            Path(doc["dataset_path"]),
            tuple(doc["default_graphs"]),
            tuple((k, v) for k, v in doc["prefixes"]),
        )


def serve(inbox: Connection, outbox: Connection, spec: StoreSpec) -> None:
    """Load the store, say ready, then answer requests until the parent closes the pipe."""
    try:
        store = load_store(spec)
    except Exception as exc:  # reported to the parent, which answers 500
        outbox.send(_error(500, "Store failed to load", str(exc)))
        return
    outbox.send({"ok": True, "ready": True})
    handler = Handler(store, spec)
    while True:
        try:
            request = inbox.recv()
        except (EOFError, OSError):
            return
        try:
            outbox.send(handler.handle(request))
        except (BrokenPipeError, OSError):
            return


def main(argv: list[str]) -> None:
    """Child entry point: ``python -m server.worker IN_FD OUT_FD SPEC_JSON``."""
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    serve(inbox, outbox, StoreSpec.from_json(argv[2]))


def load_store(spec: StoreSpec) -> Store:
    """A fresh in-memory store holding the dataset's quads."""
    store = Store()
    store.load(path=str(spec.dataset_path), format=RdfFormat.N_QUADS)
    return store


def _error(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"ok": False, "status": status, "title": title, "detail": detail}


XML_FORMATS = {"xml", "rdfxml"}
NOT_XML = (
    "This answer cannot be written as well-formed XML (a literal holds a character XML 1.0 "
    "forbids, or a predicate IRI has no XML name); ask for JSON, Turtle or N-Triples instead."
)


def well_formed_xml(body: bytes) -> bool:
    """True if ``body`` parses as namespace-well-formed XML (pyoxigraph and our writer can emit
    malformed XML)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


def _checked(reply: dict[str, Any], fmt: str) -> dict[str, Any]:
    """``reply``, or a 406 when its XML body is not well-formed."""
    if fmt in XML_FORMATS and reply.get("ok") and not well_formed_xml(reply["body"]):
        return _error(406, "Not Acceptable", NOT_XML)
    return reply


class Handler:
    """Executes requests against one store."""

    def __init__(self, store: Store, spec: StoreSpec) -> None:
        self.store = store
        self.spec = spec
        self.prefixes = dict(spec.prefixes)
        self.updated = False

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Dispatch a request; never raises."""
        op = request.get("op")
        try:
            if op == "query":
                return self.query(request)
            if op == "update":
                return self.update(request)
            if op == "dump":
                return self.dump(request)
            if op == "stats":
                return self.stats()
            return _error(500, "Unknown executor request", repr(op))
        except SyntaxError as exc:
            kind = "update" if op == "update" else "query"
            return _error(400, f"Malformed {kind}", str(exc))
        except Exception as exc:  # pyoxigraph OSError/ValueError: evaluation failures
            return _error(500, "Query evaluation failed", f"{type(exc).__name__}: {exc}")

    def _dataset(self, request: dict[str, Any]) -> dict[str, Any]:
        default = request.get("default_graphs")
        named = request.get("named_graphs")
        if default is not None or named is not None:
            return {
                "default_graph": [NamedNode(g) for g in default or []],
                "named_graphs": [NamedNode(g) for g in named or []],
            }
        if request.get("use_query_dataset"):
            return {}
        # The store's own default graph is empty after a build; once an update has run it is
        # included, so that data inserted without GRAPH is visible (left out before: each
        # extra graph in the union costs Oxigraph ~10% on a join).
        graphs: list[Any] = [NamedNode(g) for g in self.spec.default_graphs]
        return {"default_graph": [*graphs, DefaultGraph()] if self.updated else graphs}

    def query(self, request: dict[str, Any]) -> dict[str, Any]:
        """Evaluate a query and serialize it, cutting after ``max_rows`` rows or triples."""
        answer = self.store.query(
            request["query"], base_iri=request.get("base_iri"), **self._dataset(request)
        )
        max_rows = int(request["max_rows"])
        if isinstance(answer, QueryBoolean):
            fmt = request.get("results_fmt")
            if fmt is None:
                return _error(406, "Not Acceptable", "No acceptable format for a boolean result.")
            body = answer.serialize(format=RESULT_FORMATS[fmt])
            return {"ok": True, "kind": "boolean", "fmt": fmt, "body": body, "truncated": False}
        if isinstance(answer, QuerySolutions):
            fmt = request.get("results_fmt")
            if fmt is None:
                return _error(406, "Not Acceptable", "No acceptable format for solutions.")
            variables = [v.value for v in answer.variables]
            rows = [
                [solution[i] for i in range(len(variables))]
                for solution in itertools.islice(answer, max_rows + 1)
            ]
            truncated = len(rows) > max_rows
            body = results.write(fmt, variables, rows[:max_rows])
            reply = {
                "ok": True,
                "kind": "solutions",
                "fmt": fmt,
                "body": body,
                "truncated": truncated,
                "rows": min(len(rows), max_rows),
            }
            return _checked(reply, fmt)
        fmt = request.get("graph_fmt")
        if fmt is None:
            return _error(406, "Not Acceptable", "No acceptable format for a graph result.")
        triples = list(itertools.islice(answer, max_rows + 1))
        truncated = len(triples) > max_rows
        body = serialize(triples[:max_rows], format=RDF_FORMATS[fmt], prefixes=self.prefixes)
        reply = {
            "ok": True,
            "kind": "graph",
            "fmt": fmt,
            "body": body,
            "truncated": truncated,
            "rows": min(len(triples), max_rows),
        }
        return _checked(reply, fmt)

    def update(self, request: dict[str, Any]) -> dict[str, Any]:
        """Apply a SPARQL update to this in-memory store."""
        self.store.update(request["update"], base_iri=request.get("base_iri"))
        self.updated = True
        return {"ok": True}

    def _quads(self) -> list[Quad]:
        """The dataset's quads, as built (from the file) unless updates changed the store.

        The file is preferred because Oxigraph's store normalises some literals (e.g. an
        ``xsd:nonNegativeInteger`` comes back as ``xsd:integer``) and relabels blank nodes;
        downloads should be the artefact, term for term.
        """
        if self.updated:
            return sorted(self.store, key=str)
        return list(parse(path=str(self.spec.dataset_path), format=RdfFormat.N_QUADS))

    def dump(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serialize the whole dataset, the default graph (union) or one named graph."""
        graph = request["graph"]
        fmt = RDF_FORMATS[request["fmt"]]
        if graph == "ALL":  # (as built, /store streams the N-Quads and TriG files instead)
            body = serialize(self._quads(), format=fmt, prefixes=self.prefixes)
            return {"ok": True, "body": body}
        if graph == "DEFAULT":
            names: set[Any] = {NamedNode(g) for g in self.spec.default_graphs} | {DefaultGraph()}
        else:
            node = NamedNode(graph)
            if not self.store.contains_named_graph(node):
                return _error(404, "Unknown graph", f"No graph <{graph}> in this dataset.")
            names = {node}
        seen: set[Triple] = set()
        triples = []
        for quad in self._quads():
            if quad.graph_name in names and quad.triple not in seen:
                seen.add(quad.triple)
                triples.append(quad.triple)
        body = serialize(triples, format=fmt, prefixes=self.prefixes)
        return _checked({"ok": True, "body": body}, request["fmt"])

    def stats(self) -> dict[str, Any]:
        """Quad count per graph (the default graph as ``""``) and the total."""
        counts: dict[str, int] = {}
        for quad in self.store:
            name = quad.graph_name
            key = "" if isinstance(name, DefaultGraph) else name.value
            counts[key] = counts.get(key, 0) + 1
        return {"ok": True, "triples": len(self.store), "graphs": counts}


if __name__ == "__main__":
    main(sys.argv[1:])
