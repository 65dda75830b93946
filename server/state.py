"""Per-application state shared by the blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, request
from werkzeug.sansio.utils import get_current_url

from server.artefacts import Artefacts
from server.engine import Engine
from server.settings import Settings

EXTENSION = "dprk_kg"


@dataclass
class AppState:
    """Settings, the build artefacts and the engine of one app."""

    settings: Settings
    artefacts: Artefacts
    engine: Engine


def state() -> AppState:
    """The state of the current app."""
    return current_app.extensions[EXTENSION]


def root_url() -> str:
    """Public URL of the app root, ending in '/' (``public_base_url`` or the request's)."""
    configured = state().settings.public_base_url
    if configured:
        return configured
    return _url_root(request.scheme, request.host, request.root_path)


@lru_cache(maxsize=64)
def _url_root(scheme: str, host: str, root_path: str) -> str:
    # ``request.url_root`` re-derives this (IRI decoding included) on every call; it depends on
    # these three values only, and a server sees few distinct ones.
    return get_current_url(scheme, host, root_path)


def endpoint_url() -> str:
    """Public URL of the SPARQL endpoint (also the base IRI of queries and updates)."""
    return root_url() + "sparql"
