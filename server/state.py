"""Per-application state shared by the blueprints."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

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
    return configured if configured else request.url_root


def endpoint_url() -> str:
    """Public URL of the SPARQL endpoint (also the base IRI of queries and updates)."""
    return root_url() + "sparql"
