"""Attacks: path traversal, odd encodings, oversized requests, CORS, update tokens, SSRF.

SSRF rule: requests towards private, link-local or loopback hosts must be refused before any
connection. SERVICE and LOAD are refused by ``server.security`` before the engine is called
(a spy on the engine proves it), so private addresses are never contacted; FROM / FROM NAMED /
protocol graphs never fetch at all, which a loopback canary proves (it must see zero requests).
"""

from __future__ import annotations

import inspect
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from hostile_support import LiveServer, check_response

from server import security
from server.state import EXTENSION

TOKEN = "correct-horse-battery-staple"


def _check(response: Any) -> None:
    check_response(
        response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.get_data()
    )


# --- path traversal and odd encodings ------------------------------------------------------

TRAVERSALS = [
    "/store?graph=../../etc/passwd",
    "/store?graph=file:///etc/passwd",
    "/store?graph=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/store?graph=%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "/store?graph=http://x/%00",
    "/entity/..%2f..%2fetc%2fpasswd",
    "/entity/../../etc/passwd",
    "/entity/%2e%2e/%2e%2e/etc/passwd",
    "/entity/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "/entity/russia%00.ttl",
    "/article/..%2f..%2f..%2fetc%2fpasswd",
    "/claim/%ff%fe",
    "/vendor/..%2f..%2fpackage.json",
    "/vendor/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/vendor/..%5c..%5cetc%5cpasswd",
    "/assets/..%2f..%2fsettings.py",
    "/assets/..%2f..%2f..%2fpyproject.toml",
    "/assets/%00",
    "/.well-known/..%2f..%2fetc%2fpasswd",
    "/sparql?query=%00",
    "/sparql?query=%c0%ae",
    "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D&default-graph-uri=file:///etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_parameters_never_reach_files(hostile_app: Flask, path: str) -> None:
    response = hostile_app.test_client().get(path)
    assert response.status_code in {200, 400, 404}, response.data[:300]
    body = response.get_data()
    assert b"root:" not in body and b"[project]" not in body and b"def " not in body
    if "default-graph-uri" in path:  # a graph that is not held is an empty graph, never a file
        assert response.status_code == 200 and response.json["boolean"] is False
    _check(response)


# --- oversized requests --------------------------------------------------------------------


def test_oversized_body_is_413(hostile_app: Flask) -> None:
    limit = hostile_app.config["MAX_CONTENT_LENGTH"]
    for content_type in ("application/sparql-query", "application/x-www-form-urlencoded"):
        response = hostile_app.test_client().post(
            "/sparql", data=b"A" * (limit + 1), content_type=content_type
        )
        assert response.status_code == 413
        _check(response)


@pytest.fixture(scope="module")
def live(hostile_build: Any) -> Iterator[LiveServer]:
    """The server on loopback with the default settings and a 2 s timeout."""
    server = LiveServer(hostile_build, {"DPRK_KG_QUERY_TIMEOUT": "2"}, workers=1)
    yield server
    server.stop()


def _raw(port: int, request: bytes) -> bytes:
    """Send raw bytes, return the whole answer (the server closes or answers within 10 s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def test_a_get_query_url_of_30_kb_is_answered(live: LiveServer) -> None:
    # max_header_bytes (64 KiB) bounds the request head; long GET queries below it still work.
    values = " ".join(f"<urn:x:{i}>" for i in range(2500))
    query = f"ASK {{ <urn:x:none> ?p ?o VALUES ?v {{ {values} }} }}"
    assert 28_000 < len(query) < 40_000
    answer = requests.get(live.endpoint, params={"query": query}, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json() == {"head": {}, "boolean": False}


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\nConnection: close\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"Connection: close\r\n\r\n",
        b"GET /sparql?query=" + b"A" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nAccept: \xff\xfe\x00\r\nConnection: close\r\n\r\n",
        b"GET /\x00/../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 99999999999\r\nConnection: close\r\n\r\nASK {}",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\nConnection: close\r\n\r\nASK {}",
    ],
    ids=["huge-header", "many-headers", "long-request-line", "binary-header", "nul-path", "huge-length", "te-and-cl"],
)
def test_live_server_answers_malformed_or_oversized_requests_with_4xx(live: LiveServer, request_bytes: bytes) -> None:
    answer = _raw(live.port, request_bytes)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1."), answer[:200]
    status = int(status_line.split()[1])
    assert 400 <= status < 500, status_line
    assert b"Traceback" not in answer
    assert requests.get(live.url + "health", timeout=10).status_code == 200


def test_live_server_refuses_an_oversized_body(live: LiveServer) -> None:
    response = requests.post(
        live.endpoint,
        data=b"A" * (2 * 1_048_576),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["error"]["status"] == 413


# --- CORS ------------------------------------------------------------------------------------

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type, X-Evil"}


def test_cors_preflight_echoes_an_allowed_origin(hostile_app: Flask) -> None:
    response = hostile_app.test_client().options(
        "/sparql", headers={"Origin": "https://allowed.example", **PREFLIGHT}
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
    assert set(response.headers["Access-Control-Allow-Methods"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"  # X-Evil dropped
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://allowed.example.evil.example", ""])
def test_cors_disallowed_origin_gets_no_allow_origin(hostile_app: Flask, origin: str) -> None:
    client = hostile_app.test_client()
    preflight = client.options("/sparql", headers={"Origin": origin, **PREFLIGHT})
    simple = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": origin})
    for response in (preflight, simple):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Methods" not in response.headers


def test_cors_simple_request_from_allowed_origin(hostile_app: Flask) -> None:
    response = hostile_app.test_client().get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://allowed.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
    assert "X-Result-Truncated" in response.headers["Access-Control-Expose-Headers"]


def test_cors_wildcard_configuration_answers_star(make_hostile_app) -> None:
    client = make_hostile_app(cors_origins=("*",)).test_client()
    response = client.options("/store", headers={"Origin": "https://anyone.example", **PREFLIGHT})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in response.headers or "Origin" not in response.headers["Vary"]


# --- update tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[0]}",
        f"Bearer {TOKEN.upper()}",
        f"Bearer {TOKEN}\x00",
        f"Token {TOKEN}",
    ],
)
def test_update_with_no_or_wrong_token_is_403(make_hostile_app, authorization: str | None) -> None:
    client = make_hostile_app(update_token=TOKEN).test_client()
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["title"] == "Update refused"
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).json["boolean"] is True


def test_timing_probe_prefixes_are_all_refused_and_the_compare_is_constant_time(make_hostile_app) -> None:
    """A timing attack guesses the token one character at a time: every guess is 403, and the
    comparison is ``hmac.compare_digest`` (its time does not depend on the common prefix)."""
    client = make_hostile_app(update_token=TOKEN).test_client()
    for n in range(len(TOKEN)):
        guess = TOKEN[:n] + "\x01" * (len(TOKEN) - n)
        response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": f"Bearer {guess}"})
        assert response.status_code == 403
    source = inspect.getsource(security.check_update_allowed)
    assert "hmac.compare_digest" in source and "== expected" not in source and "token ==" not in source
    right = client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 204


# --- SSRF ------------------------------------------------------------------------------------

PRIVATE_TARGETS = [
    "http://10.0.0.1/sparql",
    "http://192.168.1.1/sparql",
    "http://172.16.0.1/sparql",
    "http://100.64.0.1/sparql",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/sparql",
    "http://[fc00::1]/sparql",
    "file:///etc/passwd",
    "ftp://10.0.0.1/x",
    "gopher://127.0.0.1:25/x",
]


def loopback_spellings(port: int) -> list[str]:
    """Ways to write the canary's loopback address."""
    return [
        f"http://127.0.0.1:{port}/sparql",
        f"http://localhost:{port}/sparql",
        f"http://[::1]:{port}/sparql",
        f"http://[::ffff:127.0.0.1]:{port}/sparql",
        f"http://[::ffff:7f00:1]:{port}/sparql",
        f"http://2130706433:{port}/sparql",
        f"http://0177.0.0.1:{port}/sparql",
        f"http://0x7f.0.0.1:{port}/sparql",
        f"http://127.1:{port}/sparql",
        f"http://0.0.0.0:{port}/sparql",
        f"http://user@127.0.0.1:{port}/sparql",
        f"HTTP://127.0.0.1:{port}/sparql",
    ]


class EngineSpy:
    """Wraps an engine and records every call (to prove refusals happen before it)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.engine, name)
        if callable(attr):

            def wrapped(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return attr(*args, **kwargs)

            return wrapped
        return attr


def _spy(app: Flask) -> EngineSpy:
    st = app.extensions[EXTENSION]
    spy = EngineSpy(st.engine)
    st.engine = spy
    return spy


def _service_queries(target: str) -> list[str]:
    base, _, tail = target.rpartition("/")
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX t: <{base}/> SELECT * WHERE {{ SERVICE t:{tail} {{ ?s ?p ?o }} }}" if tail.isalnum() else f"ASK {{ SERVICE <{target}> {{}} }}",
        f"BASE <{base}/> SELECT * WHERE {{ SERVICE <{tail}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    ]


def test_ssrf_service_and_load_are_refused_before_the_engine(make_hostile_app, canary: Any) -> None:
    port = int(canary.url.rsplit(":", 1)[1].strip("/"))
    targets = loopback_spellings(port) + PRIVATE_TARGETS
    # Even when every target is on the allow-list, internal hosts stay refused.
    app = make_hostile_app(service_allowlist=tuple(targets), update_token=TOKEN)
    spy = _spy(app)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for target in targets:
        for query in _service_queries(target):
            response = client.post("/sparql", data={"query": query})
            assert response.status_code == 403, (target, query, response.data)
        for update in (
            f"LOAD <{target}>",
            f"LOAD SILENT <{target}> INTO GRAPH <http://g>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        ):
            response = client.post("/sparql", data={"update": update}, headers=auth)
            assert response.status_code == 403, (target, update, response.data)
    assert spy.calls == []
    assert canary.requests == []


def test_ssrf_from_and_protocol_graphs_never_fetch(hostile_app: Flask, canary: Any) -> None:
    port = int(canary.url.rsplit(":", 1)[1].strip("/"))
    client = hostile_app.test_client()
    for target in loopback_spellings(port):
        for params in (
            {"query": f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}"},
            {"query": f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            {"query": f"DESCRIBE <{target}>"},
            {"query": "ASK { ?s ?p ?o }", "default-graph-uri": target, "named-graph-uri": target},
        ):
            response = client.post("/sparql", data=params)
            assert response.status_code in {200, 400}, response.data
            _check(response)
        store = client.get("/store", query_string={"graph": target})
        assert store.status_code in {400, 404}
    assert canary.requests == []


def test_ssrf_remote_json_ld_contexts_are_never_dereferenced(make_hostile_app, canary: Any) -> None:
    """No route parses client RDF except SPARQL Update; a JSON-LD document naming a remote
    @context is refused (415/405), and update data naming it is stored, not fetched."""
    app = make_hostile_app(update_token=TOKEN)
    client = app.test_client()
    doc = json.dumps({"@context": canary.url + "ctx", "@id": "http://ex/s", "name": "x"})
    for path, method in (("/sparql", "POST"), ("/store", "POST"), ("/store", "PUT")):
        response = client.open(path, method=method, data=doc, content_type="application/ld+json")
        assert response.status_code in {405, 415}
    update = (
        f'INSERT DATA {{ <http://ex/s> <http://www.w3.org/ns/json-ld#context> <{canary.url}ctx> ; '
        f'<http://ex/p> "{{\\"@context\\": \\"{canary.url}ctx\\"}}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON> }}'
    )
    response = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204
    for accept in ("application/ld+json", "text/turtle", "application/rdf+xml"):
        answer = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { <http://ex/s> ?p ?o }"}, headers={"Accept": accept})
        assert answer.status_code == 200
    assert client.get("/store", headers={"Accept": "application/ld+json"}).status_code == 200
    assert canary.requests == []


@pytest.mark.parametrize("host", ["100.64.0.1", "::ffff:100.64.0.1", "::ffff:10.0.0.1", "198.51.100.7", "2001:db8::1"])
def test_non_global_addresses_count_as_internal(host: str) -> None:
    """Bug 4: the shared address space 100.64.0.0/10 (carrier-grade NAT, often internal cloud
    networks) passed the SERVICE host check; every non-global address is now refused."""
    assert security._is_internal(host)


@pytest.mark.parametrize("host", ["8.8.8.8", "2606:4700:4700::1111"])
def test_global_addresses_are_not_internal(host: str) -> None:
    assert not security._is_internal(host)
