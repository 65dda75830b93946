"""Regression tests of the bugs the hostile suite found (each was a 500 or a malformed 200)."""

from __future__ import annotations

import xml.parsers.expat

import pytest
from flask import Flask
from hostile_support import check_response

from server.lexer import MAX_NESTING


def _get(app: Flask, query: str, accept: str | None = None, **params: str):
    headers = {"Accept": accept} if accept else {}
    return app.test_client().get("/sparql", query_string={"query": query, **params}, headers=headers)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ('SELECT ("a\\u0001b" AS ?x) {}', "application/sparql-results+xml"),
        ('CONSTRUCT { <http://a> <http://ex/p> "x\\u0001" } WHERE {}', "application/rdf+xml"),
        ('CONSTRUCT { <http://a> <http://ex/123> "x" } WHERE {}', "application/rdf+xml"),
        ('CONSTRUCT { <http://a> <http://ex/> "x" } WHERE {}', "application/rdf+xml"),
    ],
)
def test_xml_that_cannot_be_well_formed_is_406_not_a_broken_200(hostile_app: Flask, query: str, accept: str) -> None:
    """Bug 1: control characters (XML 1.0 forbids them) and predicates with no XML name were
    written as malformed XML with status 200 (pyoxigraph's RDF/XML emitted ``<oxprefix:>``)."""
    response = _get(hostile_app, query, accept)
    assert response.status_code == 406
    assert "well-formed XML" in response.json["error"]["detail"]
    json_answer = _get(hostile_app, query, "application/sparql-results+json, application/n-triples")
    assert json_answer.status_code == 200


def test_xml_that_can_be_written_still_is(hostile_app: Flask) -> None:
    response = _get(hostile_app, 'SELECT ("a<&>b" AS ?x) {}', "application/sparql-results+xml")
    assert response.status_code == 200
    xml.parsers.expat.ParserCreate().Parse(response.data, True)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/sparql", {"query": "ASK {}", "default-graph-uri": "not an iri"}),
        ("/sparql", {"query": "ASK {}", "named-graph-uri": "../x"}),
        ("/store", {"graph": "../../etc/passwd"}),
        ("/store", {"graph": "http://x y"}),
        ("/store", {"graph": "\x00"}),
    ],
)
def test_graph_parameters_that_are_not_iris_are_400(hostile_app: Flask, path: str, params: dict) -> None:
    """Bug 2: a relative or malformed graph IRI reached pyoxigraph's NamedNode: 500."""
    response = hostile_app.test_client().get(path, query_string=params)
    assert response.status_code == 400
    assert response.json["error"]["title"] == "Bad graph IRI"


def test_using_graph_uri_that_is_not_an_iri_is_400(make_hostile_app) -> None:
    client = make_hostile_app(update_token="t").test_client()
    response = client.post(
        "/sparql",
        data={"update": "INSERT { <http://a> <http://b> 1 } WHERE {}", "using-graph-uri": "rel"},
        headers={"Authorization": "Bearer t"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * {" + "{" * 3000 + "}" * 3000 + "}",
        "SELECT * { FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }",
        "SELECT * { FILTER(" + "!" * 20000 + "true) }",
        "SELECT * {" + "{ SELECT * " * 3000 + "{}" + "}" * 3000 + "}",
    ],
)
def test_deep_nesting_is_400_and_does_not_kill_the_executor(hostile_app: Flask, query: str) -> None:
    """Bug 3: pyoxigraph's parser overflowed its stack (SIGSEGV) on deep nesting: the executor
    died and the client got 500 "Executor failure"."""
    client = hostile_app.test_client()
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert f"deeper than {MAX_NESTING}" in response.json["error"]["detail"]
    check_response(response.status_code, {"content-type": response.content_type}, response.data)
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).json["boolean"] is True


def test_nesting_just_under_the_limit_is_evaluated(hostile_app: Flask) -> None:
    depth = MAX_NESTING - 2
    query = "SELECT * {" + "{" * depth + "}" * depth + "}"
    response = hostile_app.test_client().post("/sparql", data={"query": query})
    assert response.status_code == 200
