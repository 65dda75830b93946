"""The endpoint on the real `graph.build` output (skipped if the build cannot run here)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import LiveServer
from pyoxigraph import RdfFormat, parse

from server import create_app
from server.cli import ensure_built
from server.settings import Settings
from server.state import EXTENSION

# The brief's explosive query: the default graph crossed with itself three times.
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Artefacts written by the project's own build (via `serve`'s stale check)."""
    build = pytest.importorskip("graph.build")
    out = tmp_path_factory.mktemp("real-build")
    settings = Settings(build_dir=out)
    try:
        ensure_built(settings)
    except Exception as exc:  # the build is another package's concern; report, don't hide
        pytest.skip(f"graph.build failed: {exc}")
    from graph.config import Settings as GraphSettings

    assert not build.is_stale(GraphSettings.from_env(out_dir=out))
    return out


@pytest.fixture(scope="module")
def real_client(real_build: Path) -> Iterator:
    app = create_app({"build_dir": real_build})
    yield app.test_client()
    app.extensions[EXTENSION].engine.close()


def test_serves_what_the_manifest_says(real_client, real_build: Path) -> None:
    manifest = json.loads((real_build / "manifest.json").read_text())
    health = real_client.get("/health").json
    assert health["graphs"] == manifest["graphs"]
    base = manifest["base"]
    count = real_client.get(
        "/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    ).json["results"]["bindings"][0]["n"]
    union = real_client.get(
        "/sparql",
        query_string={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
            f"{{ GRAPH <{base}graph/asserted> {{ ?s ?p ?o }} }} UNION "
            f"{{ GRAPH <{base}graph/inferred> {{ ?s ?p ?o }} }} }} }}"
        },
    ).json
    assert count["value"] == union["results"]["bindings"][0]["n"]["value"]


def test_download_equals_the_built_dataset(real_client, real_build: Path) -> None:
    body = real_client.get("/store", headers={"Accept": "application/n-quads"}).data
    assert set(parse(body, format=RdfFormat.N_QUADS)) == set(
        parse(path=str(real_build / "dataset.nq"), format=RdfFormat.N_QUADS)
    )


def test_the_brief_cross_product_times_out_on_the_real_data(real_build: Path) -> None:
    server = LiveServer(real_build, {"DPRK_KG_QUERY_TIMEOUT": "2"})
    try:
        outcome: dict = {}

        def explode() -> None:
            start = time.monotonic()
            outcome["status"] = requests.post(server.endpoint, data={"query": CROSS}, timeout=60).status_code
            outcome["elapsed"] = time.monotonic() - start

        thread = threading.Thread(target=explode)
        thread.start()
        time.sleep(0.5)
        quick = requests.get(server.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert quick.status_code == 200 and thread.is_alive()
        thread.join()
        assert outcome["status"] == 503 and outcome["elapsed"] < 4
    finally:
        server.stop()
