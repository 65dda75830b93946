"""Fixtures for the build tests: one real build of the seeds, shared by the session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.build import BuildResult, build
from graph.config import PROJECT_ROOT, Settings
from graph.query import load_store, rows, run

DATA = Path(__file__).resolve().parent.parent / "data"
QUERIES = PROJECT_ROOT / "queries"
BASE = "https://dprk-kg.example.org/"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildResult]:
    """The seed dataset, built once into a temporary folder."""
    settings = Settings.from_env(
        out_dir=tmp_path_factory.mktemp("build") / "out", base=BASE, seeds_dir=PROJECT_ROOT / "seeds"
    )
    return settings, build(settings)


@pytest.fixture(scope="session")
def store(built: tuple[Settings, BuildResult]) -> ox.Store:
    """The built dataset loaded into pyoxigraph."""
    return load_store(built[0])


@pytest.fixture(scope="session")
def select(built: tuple[Settings, BuildResult], store: ox.Store):
    """Run a SELECT (text or queries/<name>.rq) and get a list of {variable: value} dicts."""

    def _select(query: str) -> list[dict[str, str]]:
        text = (QUERIES / query).read_text(encoding="utf-8") if query.endswith(".rq") else query
        header, body = rows(run(store, built[0], text))
        return [dict(zip(header, r, strict=True)) for r in body]

    return _select


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/ (for tests that add or break annotations)."""
    target = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", target)
    return target
