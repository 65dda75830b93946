"""``dprk-kg publish`` against a real Graph Store (``oxigraph serve``) and a recording stub."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from graph.build import build
from graph.cli import main
from graph.config import Settings
from graph.publish import auth_header, graph_url, publish

BASE = "https://dprk-kg.example.org/"
OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once (fast reasoner: same artefacts, less time)."""
    out = tmp_path_factory.mktemp("publish") / "out"
    build(Settings(base=BASE, out_dir=out, reasoner="fast"))
    return out


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """``oxigraph serve`` on a free loopback port with a temporary store; yields its base URL."""
    if not Path(OXIGRAPH).is_file():
        pytest.skip("the oxigraph binary (PyPI oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_publish_puts_every_graph_and_counts_match(
    built: Path, oxigraph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["publish", "--out", str(built), "--to", f"{oxigraph}/store", "--query-endpoint", f"{oxigraph}/query"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    for graph, n in manifest["graphs"].items():
        assert f"PUT <{graph}>: {n} triples" in out
        assert f"endpoint counts {n}" in out


def test_publish_replaces_graphs_and_turtle_works_too(built: Path, oxigraph: str) -> None:
    """PUT replaces: publishing twice (N-Triples, then Turtle) leaves the same counts."""
    publish(built, f"{oxigraph}/store")
    results = publish(built, f"{oxigraph}/store", fmt="turtle", query_endpoint=f"{oxigraph}/query")
    assert len(results) == 3
    assert all(r.counted == r.expected and r.status in (200, 201, 204) for r in results)


class _Recorder(BaseHTTPRequestHandler):
    """A stub store: records PUTs, answers every COUNT with 7."""

    seen: list[tuple[str, str, dict[str, str], int]] = []

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(("PUT", self.path, dict(self.headers), len(body)))
        self.send_response(204)
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(("POST", self.path, dict(self.headers), 0))
        answer = json.dumps(
            {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: object) -> None:
        pass


def test_auth_header_is_sent_and_a_count_mismatch_fails(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        code = main(
            [
                "publish",
                "--out",
                str(built),
                "--to",
                f"{url}/store",
                "--query-endpoint",
                f"{url}/sparql",
                "--auth",
                "bearer:s3cret",
            ]
        )
    finally:
        server.shutdown()
    assert code == 1 and "MISMATCH" in capsys.readouterr().out
    puts = [r for r in _Recorder.seen if r[0] == "PUT"]
    assert len(puts) == 3
    assert all(r[2]["Authorization"] == "Bearer s3cret" for r in _Recorder.seen)
    assert all(r[2]["Content-Type"] == "application/n-triples" for r in puts)
    assert sorted(r[1] for r in puts)[0].startswith("/store?graph=https%3A%2F%2F")


def test_auth_and_url_helpers() -> None:
    assert auth_header("basic:ann:pw") == "Basic YW5uOnB3"
    assert auth_header(None) is None
    with pytest.raises(ValueError):
        auth_header("token")
    assert graph_url("http://h/store", "urn:g") == "http://h/store?graph=urn%3Ag"
    assert graph_url("http://h/ds?x=1", "urn:g") == "http://h/ds?x=1&graph=urn%3Ag"


def test_publish_without_a_build_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--out", str(tmp_path), "--to", "http://127.0.0.1:9/store"]) == 1
    assert "dprk-kg build" in capsys.readouterr().err
