"""Fixtures for the server tests: a build directory, apps, a live server, a canary."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))

from builddir import write_build  # noqa: E402

from server import create_app  # noqa: E402
from server.state import EXTENSION  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
W3C = ROOT / "tests" / "w3c"
KASEI = "http://kasei.us/2009/09/sparql/data/"
W3C_GRAPHS = {f"{KASEI}data{i}.rdf": W3C / f"data{i}.nt" for i in (1, 2, 3)}


def free_port() -> int:
    """A currently free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Artefacts of the test dataset (fixture.trig + the W3C protocol graphs)."""
    return write_build(tmp_path_factory.mktemp("build"), extra=W3C_GRAPHS)


@pytest.fixture
def make_app(build_dir: Path) -> Iterator[Callable[..., Flask]]:
    """Factory of apps with setting overrides; their executors are stopped afterwards."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({"build_dir": build_dir, **overrides})
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions[EXTENSION].engine.close()


@pytest.fixture(scope="session")
def app(build_dir: Path) -> Iterator[Flask]:
    """The default app (read-only, default settings) shared by the session."""
    application = create_app({"build_dir": build_dir, "query_timeout": 5.0})
    application.config["TESTING"] = True
    yield application
    application.extensions[EXTENSION].engine.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the default app."""
    return app.test_client()


class LiveServer:
    """A `dprk-kg serve` process (Granian) on a loopback port."""

    def __init__(self, build: Path, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.endpoint = self.url + "sparql"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--no-build",
                "--build-dir",
                str(build),
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "health", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("live server did not start")

    def stop(self) -> None:
        """Terminate the server (its workers and executors exit with it)."""
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture(scope="session")
def live_server(build_dir: Path) -> Iterator[LiveServer]:
    """The server with 2 workers, default safety settings, a 2 s query timeout."""
    server = LiveServer(build_dir, {"DPRK_KG_QUERY_TIMEOUT": "2"})
    yield server
    server.stop()


class Canary:
    """A loopback HTTP server that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _record  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A fresh canary HTTP server."""
    c = Canary()
    yield c
    c.close()
