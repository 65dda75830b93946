"""Shared helpers of the hostile-traffic suite: seeds, the well-formed-answer property, /proc.

``check_response`` is the property every fuzzed request must satisfy: no 5xx except the
documented 503 (timeout or busy), no stack trace or server file path in the body, and a body
that parses in the format its ``Content-Type`` announces.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import os
import re
import sys
import threading
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, Literal

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "queries"
W3C_MANIFEST = ROOT / "tests" / "w3c" / "manifest.ttl"
LONG = os.environ.get("DPRK_KG_LONG") == "1"
"""True when the opt-in long runs (fuzzing ≥ 10,000 cases, load) are wanted."""

SERVER_TESTS = ROOT / "tests" / "server"
long_only = pytest.mark.skipif(not LONG, reason="long run: set DPRK_KG_LONG=1")


def _server_conftest() -> Any:
    """tests/server/conftest.py loaded under a name of its own (for LiveServer and Canary)."""
    name = "dprk_kg_server_test_conftest"
    if name not in sys.modules:
        sys.path.insert(0, str(SERVER_TESTS))
        spec = importlib.util.spec_from_file_location(name, SERVER_TESTS / "conftest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_server = _server_conftest()
LiveServer = _server.LiveServer
"""``dprk-kg serve --no-build`` (Granian) on a free loopback port (tests/server/conftest.py)."""
Canary = _server.Canary
"""A loopback HTTP server recording every request it gets (tests/server/conftest.py)."""
free_port = _server.free_port
W3C_GRAPHS = _server.W3C_GRAPHS

SPARQL_WORDS = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|CLEAR|DROP|LOAD|CREATE)\b", re.I)
LEAKS = re.compile(
    r'Traceback \(most recent call last\)|File "[^"]+", line \d+|site-packages|/usr/lib/python|'
    + re.escape(str(ROOT))
)
"""Signs of a leaked stack trace or server-side file path in a response body."""

DOCUMENTED_5XX = {(503, "Query timeout"), (503, "Busy")}

RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def competency_queries() -> list[str]:
    """The project's competency queries (``queries/*.rq``)."""
    return [path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("*.rq"))]


def w3c_operations() -> list[str]:
    """SPARQL operations quoted in the W3C protocol test manifest (queries and updates)."""
    graph = Graph().parse(W3C_MANIFEST, format="turtle")
    found = {str(o) for o in graph.objects() if isinstance(o, Literal) and SPARQL_WORDS.search(str(o))}
    operations = []
    for text in sorted(found):
        if "query=" in text or "update=" in text:  # URL-encoded params: decode the operation
            from urllib.parse import parse_qs

            params = parse_qs(text.split("?", 1)[-1])
            operations += params.get("query", []) + params.get("update", [])
        elif len(text) < 2000 and "\n    \t" not in text:
            operations.append(text)
    return [op for op in operations if SPARQL_WORDS.search(op)]


EXTRA_SEEDS = [
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 20",
    "DESCRIBE <https://dprk-kg.example.org/entity/russia>",
    'SELECT ?s (STRLEN(?l) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en") }',
    "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY DESC(?n)",
    'SELECT * WHERE { BIND("a\\u0001b" AS ?x) BIND(<http://ex/1> AS ?y) BIND(1e308 * 10 AS ?z) }',
    'CONSTRUCT { <http://ex/s> <http://ex/123> "x" } WHERE {}',
    "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
    "INSERT DATA { <http://ex/s> <http://ex/p> 'o' }",
    "LOAD <http://127.0.0.1:1/x.ttl>",
    "SELECT * FROM <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }",
    "SELECT (<<( <http://a> <http://b> <http://c> )>> AS ?t) WHERE {}",
    'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, "(a+)+$")) } LIMIT 3',
]


def seed_operations() -> list[str]:
    """Every seed the fuzzer mutates: competency queries, W3C operations, hand-picked edge cases."""
    return competency_queries() + w3c_operations() + EXTRA_SEEDS


@dataclass
class Tally:
    """Thread-safe count of fuzzed requests (printed at the end of the run)."""

    cases: int = 0
    violations: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, n: int = 1) -> None:
        """Count ``n`` more requests."""
        with self._lock:
            self.cases += n


TALLY = Tally()


def _body(data: bytes, headers: dict[str, str]) -> bytes:
    if headers.get("content-encoding", "").lower() == "gzip":
        return gzip.decompress(data)
    return data


def check_response(status: int, headers: dict[str, str], data: bytes, method: str = "GET") -> None:
    """Assert the hostile-traffic property on one response (``headers`` keys lower-case)."""
    body = _body(data, headers)
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    assert not LEAKS.search(text), f"{status}: stack trace or path leaked: {text[:400]!r}"
    if status >= 500:
        title = ""
        if media == "application/json":
            title = json.loads(body).get("error", {}).get("title", "")
        assert (status, title) in DOCUMENTED_5XX, f"undocumented {status} {title!r}: {text[:400]!r}"
    if method == "HEAD" or status in {204, 304} or not body:
        return
    check_body(media, body)


def check_body(media: str, body: bytes) -> None:
    """Assert that ``body`` is well-formed ``media``."""
    if media in {"application/json", "application/sparql-results+json", "application/ld+json"}:
        json.loads(body)
    elif media in {"application/sparql-results+xml", "application/xml", "text/xml", "application/rdf+xml"}:
        xml.parsers.expat.ParserCreate(namespace_separator=" ").Parse(body, True)
    elif media == "text/csv":
        list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    elif media in {"text/tab-separated-values", "text/plain", "text/html"}:
        body.decode("utf-8")
    if media in RDFLIB_FORMATS:
        fmt = RDFLIB_FORMATS[media]
        target = Dataset() if fmt in {"trig", "nquads"} else Graph()
        target.parse(data=body, format=fmt)


def tree_rss_bytes(root: int) -> int:
    """Resident memory (VmRSS) of ``root`` and every process below it, from /proc."""
    from procs import descendants  # tests/server/procs.py (on sys.path via conftest)

    total = 0
    for pid in [root, *descendants(root)]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            total += int(match.group(1)) * 1024
    return total
