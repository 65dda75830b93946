"""A read-only graph over other graphs, so that big graphs need not be copied.

``GraphView`` answers every triple pattern from the graphs it views (for a bound predicate,
only from those that use that predicate) and keeps namespace bindings of its own in an empty
store. The build uses it where it used to copy triples into a fresh graph: the Turtle
serialiser (for the project's prefixes) and SHACL validation (for the union of the ontology,
asserted and inferred graphs). The graphs viewed must not change while the view is in use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rdflib import Graph
from rdflib.paths import Path
from rdflib.plugins.sparql import prepareQuery


class GraphView(Graph):
    """The union of ``graphs`` as one read-only graph, with its own namespace bindings.

    ``namespaces`` None keeps rdflib's default bindings (as ``Graph()`` has them); a mapping
    binds exactly those prefixes. Overlapping graphs are allowed: a triple present in several
    is reported once.
    """

    def __init__(self, graphs: Sequence[Graph], namespaces: Mapping[str, Any] | None = None):
        if namespaces is None:
            super().__init__()
        else:
            super().__init__(bind_namespaces="none")
            for prefix, namespace in namespaces.items():
                self.bind(prefix, namespace)
        self._graphs = tuple(graphs)
        self._by_predicate: dict[Any, tuple[Graph, ...]] = {}
        self._disjoint = _pairwise_disjoint(self._graphs)
        self._prepared: dict[tuple, Any] = {}

    def _for_predicate(self, p: Any) -> tuple[Graph, ...]:
        graphs = self._by_predicate.get(p)
        if graphs is None:
            graphs = tuple(
                g for g in self._graphs if next(iter(g.triples((None, p, None))), None) is not None
            )
            self._by_predicate[p] = graphs
        return graphs

    def triples(self, triple):  # type: ignore[override]
        s, p, o = triple
        if isinstance(p, Path):
            for _s, _o in p.eval(self, s, o):
                yield _s, p, _o
            return
        graphs = self._graphs if p is None else self._for_predicate(p)
        if len(graphs) == 1 or self._disjoint:
            for g in graphs:
                yield from g.triples((s, p, o))
            return
        for i, g in enumerate(graphs):
            earlier = graphs[:i]
            for t in g.triples((s, p, o)):
                if not any(t in e for e in earlier):
                    yield t

    def triples_choices(self, triple, context=None):  # type: ignore[override]
        s, p, o = triple
        for position, part in enumerate(triple):
            if isinstance(part, list | tuple):
                for choice in part:
                    pattern = [s, p, o]
                    pattern[position] = choice
                    yield from self.triples(tuple(pattern))
                return
        yield from self.triples(triple)

    def __iter__(self) -> Iterator:
        return self.triples((None, None, None))

    def __len__(self) -> int:
        if self._disjoint:
            return sum(len(g) for g in self._graphs)
        return sum(1 for _ in self.triples((None, None, None)))

    def __contains__(self, triple) -> bool:  # type: ignore[override]
        for _ in self.triples(triple):
            return True
        return False

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,
        initBindings=None,
        use_store_provided=True,
        **kwargs,
    ):
        """``Graph.query``, parsing each distinct SPARQL text once.

        pySHACL runs a SPARQL constraint once per focus node with the same text (the focus
        node comes in ``initBindings``); rdflib would parse it every time. The text is
        translated exactly as ``Graph.query`` would (same namespaces, no base) and the
        prepared query is evaluated with the call's bindings.
        """
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = initNs or dict(self.namespaces())
            key = (query_object, tuple(sorted((k, str(v)) for k, v in namespaces.items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = self._prepared[key] = prepareQuery(query_object, initNs=namespaces)
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )

    def add(self, triple):  # type: ignore[override]
        raise TypeError("a GraphView is read-only")

    def addN(self, quads):  # type: ignore[override]
        raise TypeError("a GraphView is read-only")

    def remove(self, triple):  # type: ignore[override]
        raise TypeError("a GraphView is read-only")


def _pairwise_disjoint(graphs: Sequence[Graph]) -> bool:
    """True when no triple is in two of ``graphs`` (checked from the smaller of each pair)."""
    for i, a in enumerate(graphs):
        for b in graphs[i + 1 :]:
            small, large = (a, b) if len(a) <= len(b) else (b, a)
            if any(t in large for t in small):
                return False
    return True
