"""Read the dataset through the server's query engine (``server.engine``), never around it.

Every page is built from SPARQL queries over the union default graph (asserted ∪ inferred)
or, where the distinction matters, over the named graphs. Results come back as
:class:`Term` rows; labels are looked up in every named graph (the ontology graph holds the
labels of classes and properties).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from server.engine import FormatChoice
from server.formats import BY_KEY, Format
from server.state import state

from .iris import sparql_iri

DKG = "https://dprk-kg.example.org/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = f"""PREFIX dkg: <{DKG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@dataclass(frozen=True)
class Term:
    """One RDF term of a SPARQL JSON result."""

    kind: str
    """``uri``, ``literal`` or ``bnode``."""
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        """True for an IRI."""
        return self.kind == "uri"

    def as_int(self) -> int:
        """The value as an integer (offsets, counts)."""
        return int(self.value)


Row = dict[str, Term]


def _term(binding: dict[str, str]) -> Term:
    kind = "literal" if binding["type"] in {"literal", "typed-literal"} else binding["type"]
    return Term(kind, binding["value"], binding.get("xml:lang"), binding.get("datatype"))


def _timeout() -> float:
    return state().settings.query_timeout


def select(query: str) -> list[Row]:
    """Run a SELECT (``PREFIXES`` prepended) and return its rows."""
    result = state().engine.execute(
        PREFIXES + query, None, None, FormatChoice(BY_KEY["json"], None), _timeout()
    )
    doc = json.loads(result.body)
    return [{k: _term(v) for k, v in b.items()} for b in doc["results"]["bindings"]]


def ask(query: str) -> bool:
    """Run an ASK (``PREFIXES`` prepended)."""
    result = state().engine.execute(
        PREFIXES + query, None, None, FormatChoice(BY_KEY["json"], None), _timeout()
    )
    return bool(json.loads(result.body)["boolean"])


def construct(query: str, fmt: Format) -> bytes:
    """Run a CONSTRUCT/DESCRIBE and serialize it as ``fmt`` (a graph format)."""
    result = state().engine.execute(PREFIXES + query, None, None, FormatChoice(None, fmt), _timeout())
    return result.body


def values(var: str, iris: Iterable[str]) -> str:
    """A ``VALUES ?var { <a> <b> }`` block."""
    return f"VALUES ?{var} {{ {' '.join(sparql_iri(i) for i in sorted(set(iris)))} }}"


def fallback_label(iri: str) -> str:
    """A readable name from an IRI's last segment (``north-korea`` → ``north korea``)."""
    tail = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    return tail.replace("-", " ").replace("_", " ") or iri


def _better(new: Term, old: Term | None) -> bool:
    rank = {"en": 0, None: 1}
    return old is None or rank.get(new.lang, 2) < rank.get(old.lang, 2)


def labels(iris: Iterable[str]) -> dict[str, str]:
    """rdfs:label of each IRI (English preferred, from any named graph); fallback from the IRI."""
    wanted = sorted({i for i in iris if i})
    found: dict[str, Term] = {}
    if wanted:
        rows = select(f"SELECT ?s ?l WHERE {{ {values('s', wanted)} GRAPH ?g {{ ?s rdfs:label ?l }} }}")
        for row in rows:
            iri, label = row["s"].value, row["l"]
            if _better(label, found.get(iri)):
                found[iri] = label
    return {iri: found[iri].value if iri in found else fallback_label(iri) for iri in wanted}


def graph_iri(name: str) -> str:
    """IRI of the named graph ``asserted``, ``inferred`` or ``ontology``."""
    return state().artefacts.graph(name)
