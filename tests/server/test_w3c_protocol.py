"""The W3C SPARQL 1.1 Protocol test suite (tests/w3c/manifest.ttl), replayed on the app.

Each manifest entry lists HTTP requests and expected responses (status class, result format,
boolean). The graphs named in ``ut:graphData`` are part of the test build (see conftest).
Query and negative tests run on the default (read-only) app; update tests run on an app with
updates switched on by a token, and are refused with 403 on the default app.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import W3C, W3C_GRAPHS
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-test-token"
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"}


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: set[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    label: str
    requests: list[Request]
    graphs: dict[str, Path] = field(default_factory=dict)

    @property
    def category(self) -> str:
        if self.name.startswith("bad_"):
            return "negative"
        return "update" if self.name.startswith("update_") else "query"


def load_manifest(path: Path = W3C / "manifest.ttl") -> list[ProtocolTest]:
    """Read the manifest's entries in order."""
    g = Graph().parse(path, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        requests = []
        for req in Collection(g, g.value(action, HT.requests)):
            body_node = g.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
            headers = {}
            headers_node = g.value(req, HT.headers)
            if headers_node is not None:
                for h in Collection(g, headers_node):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            statuses = {str(s).rsplit("StatusCode", 1)[-1] for s in g.objects(resp, MF.expectedStatus)}
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            requests.append(
                Request(
                    str(g.value(req, HT.methodName)),
                    str(g.value(req, HT.absolutePath)),
                    body,
                    headers,
                    statuses,
                    str(fmt) if fmt is not None else None,
                    boolean.toPython() if boolean is not None else None,
                )
            )
        graphs = {}
        for data in g.objects(entry, UT.graphData):
            graphs[str(g.value(data, RDFS.label))] = Path(str(g.value(data, UT.graph))[7:])
        name = str(entry).rsplit("#", 1)[-1]
        tests.append(ProtocolTest(name, str(g.value(entry, MF.name)), requests, graphs))
    return tests


TESTS = load_manifest()


def boolean_of(content_type: str, body: bytes) -> bool:
    """The boolean of an ASK result in JSON or XML."""
    if content_type == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    root = ET.fromstring(body)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None, body
    return node.text == "true"


def replay(client: FlaskClient, test: ProtocolTest, token: str | None = None) -> list[str]:
    """Run every request of ``test``; return the failures (empty = pass)."""
    failures = []
    for i, req in enumerate(test.requests):
        headers = dict(req.headers)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(req.path, method=req.method, data=req.body, headers=headers)
        status_class = f"{response.status_code // 100}xx"
        if status_class not in req.statuses:
            failures.append(
                f"request {i}: status {response.status_code}, want {req.statuses}: "
                f"{response.get_data(as_text=True)[:200]}"
            )
            continue
        media = (response.mimetype or "").lower()
        if req.expected_format == "boolean" and media not in BOOLEAN_TYPES:
            failures.append(f"request {i}: {media} is not a boolean result format")
        if req.expected_format == "tabular" and media not in RESULT_TYPES:
            failures.append(f"request {i}: {media} is not a tabular result format")
        if req.expected_format == "RDF" and media not in RDF_TYPES:
            failures.append(f"request {i}: {media} is not an RDF format")
        if req.expected_boolean is not None and media in BOOLEAN_TYPES:
            got = boolean_of(media, response.data)
            if got != req.expected_boolean:
                failures.append(f"request {i}: boolean {got}, want {req.expected_boolean}")
    return failures


def test_manifest_has_the_34_tests_and_their_graphs_are_loaded() -> None:
    counts = {c: sum(t.category == c for t in TESTS) for c in ("query", "update", "negative")}
    assert counts == {"query": 13, "update": 7, "negative": 14}
    needed = {iri for t in TESTS for iri in t.graphs}
    assert needed <= set(W3C_GRAPHS)


@pytest.mark.parametrize("test", [t for t in TESTS if t.category != "update"], ids=lambda t: t.name)
def test_query_and_negative_tests_pass_on_the_default_app(client: FlaskClient, test: ProtocolTest) -> None:
    assert replay(client, test) == []


@pytest.mark.parametrize("test", [t for t in TESTS if t.category == "update"], ids=lambda t: t.name)
def test_update_tests_pass_with_a_token(make_app, test: ProtocolTest) -> None:
    app: Flask = make_app(update_token=TOKEN)
    assert replay(app.test_client(), test, token=TOKEN) == []


@pytest.mark.parametrize("test", [t for t in TESTS if t.category == "update"], ids=lambda t: t.name)
def test_update_tests_are_refused_by_default(client: FlaskClient, test: ProtocolTest) -> None:
    first = test.requests[0]
    response = client.open(first.path, method=first.method, data=first.body, headers=first.headers)
    assert response.status_code == 403
    assert response.json["error"]["title"] == "Updates disabled"


def test_suite_summary(make_app, client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    passed = {"query": 0, "update": 0, "negative": 0}
    for test in TESTS:
        if test.category == "update":
            ok = not replay(make_app(update_token=TOKEN).test_client(), test, token=TOKEN)
        else:
            ok = not replay(client, test)
        passed[test.category] += ok
    with capsys.disabled():
        print(
            f"\nW3C SPARQL 1.1 Protocol: query {passed['query']}/13, "
            f"negative {passed['negative']}/14, update {passed['update']}/7"
        )
    assert passed == {"query": 13, "update": 7, "negative": 14}
