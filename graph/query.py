"""Run SPARQL against the built dataset (pyoxigraph), as the CLI's ``query`` command does.

The default graph is the union of the asserted and inferred graphs, as on the endpoint;
``GRAPH`` reaches every named graph, the ontology included.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox

from .config import Settings
from .errors import BuildError

DEFAULT_GRAPHS = ("asserted", "inferred")


def load_store(settings: Settings) -> ox.Store:
    """An in-memory store loaded from ``dataset.nq`` of the build folder."""
    path = settings.out_dir / "dataset.nq"
    if not path.is_file():
        raise BuildError("no built dataset; run `dprk-kg build` first", file=path)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def run(
    store: ox.Store, settings: Settings, sparql: str
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Evaluate ``sparql`` with the dataset's default graph (asserted ∪ inferred)."""
    default = [ox.NamedNode(settings.graph_iri(name)) for name in DEFAULT_GRAPHS]
    return store.query(sparql, default_graph=default, use_default_graph_as_union=False)


def term_text(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    """The plain value of an RDF term (IRI, lexical form, or _:label)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def rows(result: ox.QuerySolutions) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a SELECT result as plain strings."""
    names = [v.value for v in result.variables]
    return names, [[term_text(solution[n]) for n in names] for solution in result]


def render(result: object, fmt: str) -> str:
    """``table``, ``csv`` or ``json`` text of a query result (CONSTRUCT gives N-Triples)."""
    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"boolean": bool(result)}) if fmt == "json" else str(bool(result)).lower()
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if fmt == "json":
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
    header, body = rows(result)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        return out.getvalue()
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    sep = "-+-".join("-" * w for w in widths)
    lines = [line, sep] + [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines) + f"\n({len(body)} row{'s' if len(body) != 1 else ''})\n"


def read_query(text_or_path: str) -> str:
    """The query itself, or the content of a ``.rq`` file."""
    path = Path(text_or_path)
    if text_or_path.endswith(".rq") or (len(text_or_path) < 4096 and path.is_file()):
        return path.read_text(encoding="utf-8")
    return text_or_path
