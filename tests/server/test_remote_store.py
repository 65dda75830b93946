"""`serve --store URL`: the endpoint answering from a real `oxigraph serve` over loopback.

Two Oxigraph servers (PyPI ``oxigraph`` binary, on-disk stores filled with ``oxigraph load``):
one holds the project's real build (competency queries, compared with the local engine), one
the test build (W3C protocol suite, safety rules, row cap, downloads). Failure modes use a
loopback port nobody listens on and a fake store that trickles its answer forever.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import ROOT, free_port
from flask import Flask
from pyoxigraph import RdfFormat, parse
from test_engine_equivalence import group_concat_separators, served_answer, unorder_concats
from test_w3c_protocol import TESTS, replay

from server import create_app
from server.cli import ensure_built
from server.settings import Settings
from server.state import EXTENSION

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
JSON = {"Accept": "application/sparql-results+json"}
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p . ?q ?r ?s }"

pytestmark = pytest.mark.skipif(not OXIGRAPH.exists(), reason="no oxigraph binary (pip install oxigraph)")


class Oxigraph:
    """``oxigraph serve`` on a loopback port over a store loaded from ``dataset.nq``."""

    def __init__(self, dataset: Path, location: Path) -> None:
        subprocess.run(
            [str(OXIGRAPH), "load", "--location", str(location), "--file", str(dataset)],
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                "10",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        """Stop the server."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture(scope="module")
def test_store(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    server = Oxigraph(build_dir / "dataset.nq", tmp_path_factory.mktemp("oxigraph-test"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("graph.build")
    out = tmp_path_factory.mktemp("remote-real-build")
    try:
        ensure_built(Settings(build_dir=out))
    except Exception as exc:
        pytest.skip(f"graph.build failed: {exc}")
    return out


@pytest.fixture(scope="module")
def real_store(real_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    server = Oxigraph(real_build / "dataset.nq", tmp_path_factory.mktemp("oxigraph-real"))
    yield server
    server.stop()


@pytest.fixture
def apps() -> Iterator[Callable[..., Flask]]:
    """Factory of apps (closed afterwards)."""
    made: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = create_app(config)
        app.config["TESTING"] = True
        made.append(app)
        return app

    yield factory
    for app in made:
        app.extensions[EXTENSION].engine.close()


def solutions(response: Any, query: str = "") -> Any:
    """A JSON result as a multiset of normalised rows (see test_engine_equivalence) or a boolean.

    GROUP_CONCAT values compare as sorted parts: their order is undefined, and differs between
    Oxigraph's in-memory and on-disk stores.
    """
    answer = served_answer(response)
    doc = json.loads(response.data)
    if "boolean" in doc:
        return answer
    return unorder_concats(answer, doc["head"]["vars"], group_concat_separators(query))


# -- same answers --------------------------------------------------------------------------------


def test_competency_queries_same_answers_as_the_local_engine(
    real_build: Path, real_store: Oxigraph, apps
) -> None:
    local = apps(build_dir=real_build).test_client()
    remote = apps(build_dir=real_build, store_url=real_store.url).test_client()
    assert len(QUERIES) >= 10
    for path in QUERIES:
        query = path.read_text(encoding="utf-8")
        want = solutions(local.post("/sparql", data={"query": query}, headers=JSON), query)
        got = solutions(remote.post("/sparql", data={"query": query}, headers=JSON), query)
        assert got == want, path.name
        assert want, f"{path.name}: no answer"


def test_w3c_protocol_query_and_negative_tests_pass_on_the_remote(
    build_dir: Path, test_store: Oxigraph, apps
) -> None:
    client = apps(build_dir=build_dir, store_url=test_store.url).test_client()
    failures = {t.name: replay(client, t) for t in TESTS if t.category != "update"}
    assert {name: f for name, f in failures.items() if f} == {}


def test_default_graph_is_asserted_plus_inferred_and_named_graphs_stay_visible(
    build_dir: Path, test_store: Oxigraph, apps
) -> None:
    local = apps(build_dir=build_dir).test_client()
    remote = apps(build_dir=build_dir, store_url=test_store.url).test_client()
    for query in (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "SELECT ?x WHERE { BIND (<rel> AS ?x) }",  # relative IRI: our base is sent along
    ):
        assert solutions(remote.get("/sparql", query_string={"query": query})) == solutions(
            local.get("/sparql", query_string={"query": query})
        ), query


def test_formats_row_cap_and_cache(build_dir: Path, test_store: Oxigraph, apps) -> None:
    client = apps(build_dir=build_dir, store_url=test_store.url, max_result_rows=3).test_client()
    query = "SELECT * WHERE { ?s ?p ?o }"
    first = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert first.status_code == 200 and first.mimetype == "text/csv"
    assert len(first.get_data(as_text=True).strip().splitlines()) == 4  # header + 3 rows
    assert first.headers["X-Result-Truncated"] == "true" and first.headers["X-Result-Rows"] == "3"
    assert first.headers["X-Cache"] == "miss"
    again = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert again.headers["X-Cache"] == "hit" and again.data == first.data
    graph = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.status_code == 200 and graph.headers["X-Result-Truncated"] == "true"
    assert len(list(parse(graph.data, format=RdfFormat.N_TRIPLES))) == 3
    syntax = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s "})
    assert syntax.status_code == 400 and syntax.json["error"]["title"] == "Malformed query"
    assert "1:" in syntax.json["error"]["detail"]  # the added BASE line is not counted


# -- safety rules still apply --------------------------------------------------------------------


def test_service_load_and_update_are_refused(build_dir: Path, test_store: Oxigraph, apps, canary) -> None:
    client = apps(build_dir=build_dir, store_url=test_store.url, update_token="secret").test_client()
    service = client.get(
        "/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"}
    )
    assert service.status_code == 403 and service.json["error"]["title"] == "SERVICE refused"
    load = client.post(
        "/sparql", data={"update": f"LOAD <{canary.url}>"}, headers={"Authorization": "Bearer secret"}
    )
    assert load.status_code == 403 and load.json["error"]["title"] == "LOAD refused"
    insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    anonymous = client.post("/sparql", data={"update": insert})
    assert anonymous.status_code == 403
    with_token = client.post("/sparql", data={"update": insert}, headers={"Authorization": "Bearer secret"})
    assert with_token.status_code == 403 and with_token.json["error"]["title"] == "Updates disabled"
    assert canary.requests == []
    ask = client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}, headers=JSON)
    assert ask.json["boolean"] is False


# -- failures --------------------------------------------------------------------------------------


def test_remote_timeout_is_our_503(build_dir: Path, test_store: Oxigraph, apps) -> None:
    client = apps(build_dir=build_dir, store_url=test_store.url, query_timeout=1.0).test_client()
    start = time.monotonic()
    response = client.get("/sparql", query_string={"query": CROSS})
    elapsed = time.monotonic() - start
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.headers["Content-Type"] == "application/json"
    assert response.json["error"]["title"] == "Query timeout"
    assert elapsed < 2.5
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200


class Trickle:
    """A fake store that answers 200 at once, then one byte of JSON every 0.2 s, forever."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/query"
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                b"Content-Length: 100000\r\n\r\n"
            )
            try:
                while not self.stopped.is_set():
                    conn.sendall(b" ")
                    time.sleep(0.2)
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


def test_deadline_covers_the_whole_answer_not_each_read(build_dir: Path, apps) -> None:
    trickle = Trickle()
    try:
        client = apps(build_dir=build_dir, store_url=trickle.url, query_timeout=1.0).test_client()
        start = time.monotonic()
        response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 503 and response.json["error"]["title"] == "Query timeout"
        assert time.monotonic() - start < 2.0
    finally:
        trickle.close()


def test_remote_down_is_a_clean_json_error(build_dir: Path, apps, tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/query"
    client = apps(build_dir=build_dir, store_url=down).test_client()
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502 and response.headers["Content-Type"] == "application/json"
    assert response.json["error"]["title"] == "Store unavailable"
    health = client.get("/health")
    assert health.status_code == 503 and health.json["status"] == "unavailable"
    with pytest.raises(RuntimeError, match="cannot describe the remote store"):
        create_app({"build_dir": tmp_path, "store_url": down})


# -- downloads, description, health --------------------------------------------------------------


def test_downloads_from_local_artefacts_when_present(build_dir: Path, test_store: Oxigraph, apps) -> None:
    client = apps(build_dir=build_dir, store_url=test_store.url).test_client()
    body = client.get("/store", headers={"Accept": "application/n-quads"}).data
    assert body == (build_dir / "dataset.nq").read_bytes()


def test_without_artefacts_everything_comes_from_the_remote(
    build_dir: Path, test_store: Oxigraph, apps, tmp_path: Path
) -> None:
    client = apps(build_dir=tmp_path, store_url=test_store.url).test_client()
    manifest = json.loads((build_dir / "manifest.json").read_text())
    health = client.get("/health")
    assert health.status_code == 200 and health.json["graphs"] == manifest["graphs"]
    built = set(parse(path=str(build_dir / "dataset.nq"), format=RdfFormat.N_QUADS))
    whole = client.get("/store", headers={"Accept": "application/n-quads"})
    assert whole.status_code == 200
    served = set(parse(whole.data, format=RdfFormat.N_QUADS))
    # Oxigraph's store may rewrite literals (e.g. xsd:nonNegativeInteger → xsd:integer): compare shape.
    assert len(served) == len(built)
    assert {(q.subject, q.predicate, q.graph_name) for q in served} == {
        (q.subject, q.predicate, q.graph_name) for q in built
    }
    asserted = f"{manifest['base']}graph/asserted"
    one = client.get("/store", query_string={"graph": asserted}, headers={"Accept": "application/n-triples"})
    assert one.status_code == 200
    assert len(list(parse(one.data, format=RdfFormat.N_TRIPLES))) == manifest["graphs"][asserted]
    default = client.get("/store?default", headers={"Accept": "text/turtle"})
    assert default.status_code == 200 and default.mimetype == "text/turtle"
    missing = client.get("/store", query_string={"graph": "urn:nope"})
    assert missing.status_code == 404
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and asserted.encode() in description.data
    count = client.get(
        "/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
    )
    assert int(count.json["results"]["bindings"][0]["n"]["value"]) == len(built)


def test_serve_cli_with_store_flag(build_dir: Path, test_store: Oxigraph, tmp_path: Path) -> None:
    port = free_port()
    empty = tmp_path / "no-artefacts"
    empty.mkdir()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--store",
            test_store.url,
            "--build-dir",
            str(empty),
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(url + "health", timeout=5)
                break
            except requests.RequestException:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                assert time.monotonic() < deadline, "serve --store did not start"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        ask = requests.post(url + "sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=10)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        assert not list(empty.iterdir()), "serve --store must not build into the build directory"
    finally:
        process.terminate()
        process.wait(15)
