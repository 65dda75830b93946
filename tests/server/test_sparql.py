"""/sparql: protocol shapes, content negotiation, status codes, row cap, cache, CORS, 413."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

LABELS = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
ASSERTED = "https://dprk-kg.example.org/graph/asserted"
INFERRED = "https://dprk-kg.example.org/graph/inferred"
ONTOLOGY = "https://dprk-kg.example.org/graph/ontology"


def rows(response) -> list[dict]:
    return response.json["results"]["bindings"]


def test_get_query_answers_sparql_json_by_default(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": LABELS})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.json["head"]["vars"] == ["s", "l"]
    assert {"type": "literal", "value": "North Korea", "xml:lang": "en"} in [r["l"] for r in rows(response)]


def test_post_form_and_direct_post_give_the_same_result(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": LABELS})
    direct = client.post(
        "/sparql", data=LABELS.encode(), content_type="application/sparql-query; charset=utf-8"
    )
    assert form.status_code == direct.status_code == 200
    assert form.json == direct.json


def test_default_graph_is_asserted_plus_inferred_but_not_ontology(client: FlaskClient) -> None:
    def ask(pattern: str) -> bool:
        return client.get("/sparql", query_string={"query": f"ASK {{ {pattern} }}"}).json["boolean"]

    assert ask("<https://dprk-kg.example.org/entity/dprk> a <https://dprk-kg.example.org/ontology#State>")
    assert ask("<https://dprk-kg.example.org/entity/dprk> a <https://dprk-kg.example.org/ontology#Actor>")
    assert not ask("?c a <http://www.w3.org/2002/07/owl#Class>")
    assert ask(f"GRAPH <{ONTOLOGY}> {{ ?c a <http://www.w3.org/2002/07/owl#Class> }}")


def test_protocol_dataset_parameters_override_the_default(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_inferred = client.get("/sparql", query_string={"query": query, "default-graph-uri": INFERRED})
    assert only_inferred.json["results"]["bindings"][0]["n"]["value"] == "8"
    named = client.get(
        "/sparql",
        query_string={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": ONTOLOGY,
        },
    )
    assert [r["g"]["value"] for r in rows(named)] == [ONTOLOGY]


def test_from_restricts_to_local_graphs_and_unknown_graphs_are_empty(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <%s> WHERE { ?s ?p ?o }"
    assert rows(client.get("/sparql", query_string={"query": query % ONTOLOGY}))[0]["n"]["value"] == "18"
    assert (
        rows(client.get("/sparql", query_string={"query": query % "http://example.org/x"}))[0]["n"]["value"]
        == "0"
    )


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html, application/xml;q=0.9, */*;q=0.8", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
    ],
)
def test_select_negotiates_with_q_values(client: FlaskClient, accept: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/sparql-results+json;q=1, text/turtle;q=0.2", "text/turtle", "turtle"),
    ],
)
def test_construct_negotiates_rdf_formats(client: FlaskClient, accept, media, rdflib_format) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media
    assert len(Graph().parse(data=response.data, format=rdflib_format)) == 46


@pytest.mark.parametrize(
    ("param", "value", "media"),
    [
        ("format", "xml", "application/sparql-results+xml"),
        ("output", "csv", "text/csv"),
        ("format", "text/tab-separated-values", "text/tab-separated-values"),
        ("format", "nonsense", "application/sparql-results+json"),
    ],
)
def test_format_parameter_overrides_accept(client: FlaskClient, param, value, media) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": LABELS, param: value, "results": "json"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.mimetype == media


def test_csv_and_tsv_follow_the_w3c_formats(client: FlaskClient) -> None:
    query = (
        "SELECT ?q WHERE { <https://dprk-kg.example.org/claim/a1/troops-11000> "
        "<https://dprk-kg.example.org/ontology#quote> ?q }"
    )
    body = client.get("/sparql", query_string={"query": query, "format": "csv"}).data.decode()
    parsed = list(csv.reader(io.StringIO(body)))
    assert parsed == [["q"], ['11,000 "volunteers", with\ttabs, commas\nand lines']]
    assert body.endswith("\r\n")
    tsv = client.get("/sparql", query_string={"query": query, "format": "tsv"}).data.decode()
    assert tsv == '?q\n"11,000 \\"volunteers\\", with\\ttabs, commas\\nand lines"\n'


def test_nothing_acceptable_is_406(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json["error"]["status"] == 406
    construct = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert construct.status_code == 406


def test_malformed_query_is_400_with_line_and_column(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert response.status_code == 400
    error = response.json["error"]
    assert set(error) == {"status", "title", "detail"}
    assert error["title"] == "Malformed query"
    assert "2:" in error["detail"]
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"method": "GET", "query_string": "query=ASK%7B%7D&query=ASK%7B%7D"}, 400),
        ({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, 400),
        ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
        ({"method": "POST", "data": b"ASK {}", "content_type": "text/plain"}, 415),
        ({"method": "POST", "data": b"ASK {}"}, 415),
        (
            {
                "method": "POST",
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=utf-16",
            },
            400,
        ),
        ({"method": "POST", "data": b"ASK { \xff }", "content_type": "application/sparql-query"}, 400),
        ({"method": "GET", "path": "/sparql?query=ASK%20%7B%20%FF%20%7D"}, 400),
        ({"method": "POST", "data": {}, "content_type": "application/x-www-form-urlencoded"}, 400),
        ({"method": "PUT", "query_string": {"query": "ASK {}"}}, 405),
        ({"method": "DELETE"}, 405),
    ],
)
def test_bad_requests_get_4xx_in_the_one_error_shape(client: FlaskClient, kwargs, status) -> None:
    response = client.open(kwargs.pop("path", "/sparql"), **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["error"]["status"] == status


def test_errors_are_plain_text_when_the_client_prefers_it(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {"}, headers={"Accept": "text/plain, */*;q=0.1"}
    )
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("400 Malformed query")


def test_unknown_paths_and_methods_use_the_error_shape(client: FlaskClient) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    method = client.patch("/sparql")
    assert method.status_code == 405 and "GET" in method.headers["Allow"]


def test_request_larger_than_the_limit_is_413(make_app) -> None:
    client = make_app(max_request_bytes=1000).test_client()
    big = "ASK { FILTER(" + " || ".join(["true"] * 400) + ") }"
    response = client.post("/sparql", data=big.encode(), content_type="application/sparql-query")
    assert response.status_code == 413
    assert response.json["error"]["status"] == 413
    small = client.post("/sparql", data=b"ASK {}", content_type="application/sparql-query")
    assert small.status_code == 200


def test_row_cap_truncates_and_says_so(make_app) -> None:
    client = make_app(max_result_rows=5).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(rows(response)) == 5
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.headers["X-Result-Rows"] == "5"
    assert "truncated" in response.headers["Warning"]
    construct = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "nt"})
    assert len(construct.data.decode().strip().splitlines()) == 5
    assert construct.headers["X-Result-Truncated"] == "true"
    small = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert "X-Result-Truncated" not in small.headers


def test_identical_queries_are_served_from_the_cache(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # cache test"
    first = client.get("/sparql", query_string={"query": query})
    again = client.get("/sparql", query_string={"query": query.replace(" ", "  ") + "\n"})
    other_format = client.get("/sparql", query_string={"query": query, "format": "xml"})
    assert first.headers["X-Cache"] == "miss"
    assert again.headers["X-Cache"] == "hit"
    assert other_format.headers["X-Cache"] == "miss"
    assert first.data == again.data


def test_cors_simple_request_and_preflight(client: FlaskClient) -> None:
    simple = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.net"}
    )
    assert simple.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-evil",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"


def test_cors_origins_can_be_restricted(make_app) -> None:
    client = make_app(cors_origins=("https://ok.example",)).test_client()
    ok = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://ok.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://ok.example"
    assert "Origin" in ok.headers["Vary"]
    bad = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://bad.example"})
    assert "Access-Control-Allow-Origin" not in bad.headers


def test_health_reports_triples_and_manifest_hash(client: FlaskClient, build_dir) -> None:
    import hashlib

    doc = client.get("/health").json
    assert doc["status"] == "ok"
    assert doc["triples"] == sum(json.loads((build_dir / "manifest.json").read_text())["graphs"].values())
    assert doc["manifest_sha256"] == hashlib.sha256((build_dir / "manifest.json").read_bytes()).hexdigest()
