"""The memo of whole /sparql responses in front of Flask (server/response_cache.py)."""

from __future__ import annotations

from flask import Flask

from server.response_cache import ResponseCache
from server.state import EXTENSION

QUERY = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"
JSON = {"Accept": "application/sparql-results+json"}


def _memo(app: Flask) -> ResponseCache:
    return app.wsgi_app  # type: ignore[return-value]


def test_a_repeated_request_is_answered_without_reaching_the_engine(make_app) -> None:
    app = make_app()
    client = app.test_client()
    engine = app.extensions[EXTENSION].engine
    first = client.post("/sparql", data={"query": QUERY}, headers=JSON)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    lookups = engine.cache.hits + engine.cache.misses
    second = client.post("/sparql", data={"query": QUERY}, headers=JSON)
    assert second.status_code == 200 and second.headers["X-Cache"] == "hit"
    assert second.data == first.data
    assert {k: v for k, v in second.headers if k != "X-Cache"} == {
        k: v for k, v in first.headers if k != "X-Cache"
    }
    assert engine.cache.hits + engine.cache.misses == lookups  # Flask and the engine were skipped


def test_each_accept_header_gets_its_own_answer(make_app) -> None:
    client = make_app().test_client()
    for _ in range(2):
        as_json = client.get("/sparql", query_string={"query": QUERY}, headers=JSON)
        as_csv = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "text/csv"})
        assert as_json.mimetype == "application/sparql-results+json"
        assert as_csv.mimetype == "text/csv"
        assert as_csv.data.startswith(b"s\r\n")


def test_cors_headers_follow_each_requests_origin(make_app) -> None:
    client = make_app(cors_origins=("https://allowed.example",)).test_client()
    for _ in range(2):
        allowed = client.get("/sparql", query_string={"query": QUERY}, headers={"Origin": "https://allowed.example"})
        other = client.get("/sparql", query_string={"query": QUERY}, headers={"Origin": "https://evil.example"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
        assert "Access-Control-Allow-Origin" not in other.headers


def test_errors_and_authorised_requests_are_not_memoised(make_app) -> None:
    app = make_app()
    client = app.test_client()
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "SELECT WHERE {"}).status_code == 400
        client.get("/sparql", query_string={"query": QUERY}, headers={"Authorization": "Bearer x"})
    assert len(_memo(app).memo) == 0


def test_an_update_makes_earlier_answers_unreachable(make_app) -> None:
    client = make_app(update_token="t").test_client()
    ask = {"query": "ASK { <urn:new> ?p ?o }"}
    assert client.get("/sparql", query_string=ask, headers=JSON).json["boolean"] is False
    assert client.get("/sparql", query_string=ask, headers=JSON).headers["X-Cache"] == "hit"
    done = client.post(
        "/sparql",
        data={"update": "INSERT DATA { <urn:new> <urn:p> 1 }"},
        headers={"Authorization": "Bearer t"},
    )
    assert done.status_code == 204
    after = client.get("/sparql", query_string=ask, headers=JSON)
    assert after.json["boolean"] is True and after.headers["X-Cache"] == "miss"


def test_large_bodies_pass_through_and_are_still_read(make_app) -> None:
    client = make_app().test_client()
    padded = QUERY + " " * 20_000  # longer than the memo's key limit
    for _ in range(2):
        response = client.post("/sparql", data=padded, content_type="application/sparql-query", headers=JSON)
        assert response.status_code == 200 and len(response.json["results"]["bindings"]) == 3
