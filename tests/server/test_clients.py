"""Real SPARQL clients against a live server on loopback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper

NODE_DIR = Path(__file__).parent / "node"
FETCH_SPARQL = NODE_DIR / "node_modules" / ".bin" / "fetch-sparql-endpoint"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DPRK = "https://dprk-kg.example.org/entity/dprk"
QUERY = f'SELECT ?l WHERE {{ <{DPRK}> <{LABEL}> ?l FILTER(lang(?l) = "en") }}'


def test_sparqlwrapper_json(live_server) -> None:
    client = SPARQLWrapper(live_server.endpoint)
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert [b["l"]["value"] for b in result["results"]["bindings"]] == ["North Korea"]


def test_sparqlwrapper_xml_with_post(live_server) -> None:
    client = SPARQLWrapper(live_server.endpoint)
    client.setQuery(QUERY)
    client.setMethod("POST")
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == ["North Korea"]


def test_rdflib_sparqlstore_uses_xml_and_gets_answers(live_server) -> None:
    graph = rdflib.Graph(SPARQLStore(live_server.endpoint))
    rows = list(graph.query(QUERY))
    assert [str(r[0]) for r in rows] == ["North Korea"]
    assert graph.query(f"ASK {{ <{DPRK}> ?p ?o }}").askAnswer is True


def test_rdflib_service_federates_into_us(live_server) -> None:
    local = rdflib.Graph()
    local.add((rdflib.URIRef(DPRK), rdflib.RDFS.comment, rdflib.Literal("local")))
    query = f"""SELECT ?c ?l WHERE {{
        <{DPRK}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c .
        SERVICE <{live_server.endpoint}> {{ <{DPRK}> <{LABEL}> ?l FILTER(lang(?l) = "en") }}
    }}"""
    rows = list(local.query(query))
    assert [(str(c), str(lit)) for c, lit in rows] == [("local", "North Korea")]


def test_pyoxigraph_service_federates_into_us(live_server) -> None:
    store = pyoxigraph.Store()
    query = f"SELECT ?l WHERE {{ SERVICE <{live_server.endpoint}> {{ {QUERY[len('SELECT ?l WHERE ') :]} }} }}"
    rows = [s["l"].value for s in store.query(query)]
    assert rows == ["North Korea"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("method", [[], ["--get"]], ids=["post", "get"])
def test_fetch_sparql_endpoint_from_npm(live_server, method: list[str]) -> None:
    if not FETCH_SPARQL.exists():
        pytest.skip(f"run `npm ci --prefix {NODE_DIR.relative_to(Path.cwd())}` to install the node client")
    result = subprocess.run(
        [str(FETCH_SPARQL), "--endpoint", live_server.endpoint, "--query", QUERY, *method],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    bindings = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert bindings == [{"l": '"North Korea"@en'}]  # the CLI prints terms in N-Triples syntax
