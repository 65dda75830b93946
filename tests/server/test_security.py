"""Safe by default: no SSRF through SERVICE/FROM/LOAD, updates only with the right token."""

from __future__ import annotations

import pytest
from conftest import Canary
from flask.testing import FlaskClient

from server.security import _is_internal

TOKEN = "s3cret-token"


def attempts(url: str) -> list[tuple[str, dict]]:
    """Requests that would make a naive endpoint fetch ``url``."""
    return [
        ("query", {"query": f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"}),
        ("query", {"query": f"SELECT * WHERE {{ SERVICE SILENT <{url}x> {{ ?s ?p ?o }} }}"}),
        ("query", {"query": f"PREFIX c: <{url}> SELECT * WHERE {{ service c:sparql {{ ?s ?p ?o }} }}"}),
        ("query", {"query": f"BASE <{url}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}"}),
        ("query", {"query": f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}"}),
        (
            "query",
            {"query": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}"},
        ),
        ("query", {"query": f"SELECT * FROM <{url}g> WHERE {{ ?s ?p ?o }}"}),
        ("query", {"query": f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        ("query", {"query": "ASK {}", "default-graph-uri": f"{url}g", "named-graph-uri": f"{url}n"}),
        ("query", {"query": f"DESCRIBE <{url}thing>"}),
        ("update", {"update": f"LOAD <{url}data.ttl>"}),
        ("update", {"update": f"LOAD SILENT <{url}data.ttl> INTO GRAPH <http://g>"}),
        ("update", {"update": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}),
    ]


def run_attempts(client: FlaskClient, url: str, headers: dict | None = None) -> list[int]:
    return [client.post("/sparql", data=data, headers=headers or {}).status_code for _, data in attempts(url)]


def test_default_config_never_contacts_a_loopback_canary(client: FlaskClient, canary: Canary) -> None:
    statuses = run_attempts(client, canary.url)
    assert canary.requests == []
    assert statuses[:6] == [403] * 6  # SERVICE in every spelling
    assert statuses[6:10] == [200] * 4  # FROM / FROM NAMED / protocol graphs: empty, local
    assert statuses[10:] == [403] * 3  # LOAD and updates


def test_token_enabled_updates_still_refuse_load_and_service(make_app, canary: Canary) -> None:
    client = make_app(update_token=TOKEN).test_client()
    statuses = run_attempts(client, canary.url, {"Authorization": f"Bearer {TOKEN}"})
    assert canary.requests == []
    assert statuses[10:] == [403] * 3


def test_allowlisted_service_outside_the_loopback_rule_is_refused(make_app, canary: Canary) -> None:
    client = make_app(service_allowlist=(canary.url + "sparql",)).test_client()
    response = client.post("/sparql", data={"query": attempts(canary.url)[0][1]["query"]})
    assert response.status_code == 403
    assert "loopback" in response.json["error"]["detail"]
    assert canary.requests == []


def test_the_canary_would_notice_an_allowed_service(make_app, canary: Canary) -> None:
    """Control: the canary really records federation when it is allowed (tests only)."""
    client = make_app(service_allowlist=(canary.url + "sparql",), allow_loopback_service=True)
    response = client.test_client().post("/sparql", data={"query": attempts(canary.url)[0][1]["query"]})
    assert response.status_code == 200
    assert len(canary.requests) == 1


def test_empty_allowlist_refuses_every_service(make_app) -> None:
    client = make_app(service_allowlist=()).test_client()
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "169.254.169.254",
        "::1",
        "192.168.0.1",
        "0.0.0.0",
        "no-such-host.invalid",
    ],
)
def test_internal_hosts_are_recognised(host: str) -> None:
    assert _is_internal(host)


def test_public_address_is_not_internal() -> None:
    assert not _is_internal("8.8.8.8")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
def test_updates_need_the_exact_bearer_token(make_app, authorization) -> None:
    client = make_app(update_token=TOKEN).test_client()
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["title"] == "Update refused"


def test_update_with_token_changes_the_in_memory_store(make_app) -> None:
    client = make_app(update_token=TOKEN).test_client()
    ask = {"query": "ASK { <http://ex/s> <http://ex/p> 'new' }"}
    assert client.get("/sparql", query_string=ask).json["boolean"] is False
    response = client.post(
        "/sparql",
        data=b"INSERT DATA { <http://ex/s> <http://ex/p> 'new' }",
        content_type="application/sparql-update",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 204
    assert client.get("/sparql", query_string=ask).json["boolean"] is True  # cache invalidated
    assert client.get("/health").json["generation"] == 1


def test_updates_are_off_by_default(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer anything"}
    )
    assert response.status_code == 403
    assert "read-only" in response.json["error"]["detail"]
