"""Fixtures of the hostile-traffic suite (issue 6): fast apps, live servers, a canary.

Reuses ``tests/server``'s build writer, process helpers, ``LiveServer`` and ``Canary``. The
long runs (fuzzing ≥ 10,000 cases, the 60 s load test) are opt-in: ``DPRK_KG_LONG=1``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

HERE = Path(__file__).resolve().parent
SERVER_TESTS = HERE.parent / "server"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SERVER_TESTS))

from builddir import write_build  # noqa: E402
from hostile_support import LONG, TALLY, W3C_GRAPHS, Canary  # noqa: E402

from server import create_app  # noqa: E402
from server.state import EXTENSION  # noqa: E402


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Artefacts of the small test dataset (fixture.trig + W3C graphs)."""
    return write_build(tmp_path_factory.mktemp("hostile-build"), extra=W3C_GRAPHS)


HOSTILE_SETTINGS: dict[str, Any] = {
    "query_timeout": 0.5,
    "service_allowlist": (),
    "cors_origins": ("https://allowed.example",),
}
"""A small timeout, no federation (no DNS from tests), restricted CORS origins."""


@pytest.fixture(scope="session")
def hostile_app(hostile_build: Path) -> Iterator[Flask]:
    """The app every fuzzer hits (session-wide: its executors are reused)."""
    app = create_app({"build_dir": hostile_build, **HOSTILE_SETTINGS})
    app.config["TESTING"] = False  # let the 500 handler run, as in production
    yield app
    app.extensions[EXTENSION].engine.close()


@pytest.fixture
def make_hostile_app(hostile_build: Path) -> Iterator[Callable[..., Flask]]:
    """Apps with extra setting overrides; their executors are stopped afterwards."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({"build_dir": hostile_build, **HOSTILE_SETTINGS, **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions[EXTENSION].engine.close()


@pytest.fixture
def canary() -> Iterator[Any]:
    """A loopback HTTP server that records every request (must stay empty)."""
    c = Canary()
    yield c
    c.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many fuzzed requests ran."""
    if TALLY.cases:
        mode = "long" if LONG else "fast"
        terminalreporter.write_line(f"hostile fuzzing ({mode}): {TALLY.cases} requests checked")
