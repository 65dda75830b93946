"""Fixtures of the browsing tests: the real dataset built once, apps, a live server, Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from graph.build import build
from graph.config import Settings as GraphSettings
from server import create_app
from server.state import EXTENSION

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real dataset (seeds + ontology) built into a temporary directory."""
    out = tmp_path_factory.mktemp("browse-build")
    build(GraphSettings.from_env(out_dir=out))
    return out


def _close(app: Flask) -> None:
    app.extensions[EXTENSION].engine.close()


@pytest.fixture(scope="session")
def app(build_dir: Path) -> Iterator[Flask]:
    """An app over the real dataset with default settings."""
    application = create_app({"build_dir": build_dir, "query_timeout": 20.0})
    application.config["TESTING"] = True
    yield application
    _close(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the session app."""
    return app.test_client()


@pytest.fixture
def make_app(build_dir: Path) -> Iterator[Callable[..., Flask]]:
    """Apps with setting overrides (closed afterwards)."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        application = create_app({"build_dir": build_dir, "query_timeout": 20.0, **overrides})
        application.config["TESTING"] = True
        apps.append(application)
        return application

    yield factory
    for application in apps:
        _close(application)


@pytest.fixture(scope="session")
def live_url(app: Flask) -> Iterator[str]:
    """The session app served on a free loopback port by werkzeug, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browse-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join(10)


def chromium_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright; skipped locally, failing on CI, if absent."""
    reason = chromium_missing_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run on CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page; console errors and failed requests are collected on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("requestfailed", lambda req: tab.errors.append(f"request failed: {req.url}"))
    yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/`` (gitignored): screenshots of the browser tests."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def npm_installed() -> bool:
    """True when ``npm ci`` has installed YASGUI."""
    return (ROOT / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js").is_file()


def have_npm() -> bool:
    """True when the npm client is available."""
    return shutil.which("npm") is not None
