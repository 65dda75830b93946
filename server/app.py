"""The Flask application factory (imported lazily by ``server.create_app``)."""

from __future__ import annotations

import atexit
import dataclasses
from collections.abc import Mapping
from typing import Any

from flask import Flask

from server import cors, errors
from server.artefacts import Artefacts
from server.engine import Engine, LocalEngine
from server.response_cache import ResponseCache
from server.settings import Settings
from server.state import EXTENSION, AppState
from server.worker import StoreSpec

ONTOLOGY = "https://dprk-kg.example.org/ontology#"
COMMON_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "wd": "http://www.wikidata.org/entity/",
    "dkg": ONTOLOGY,
}


def prefixes_for(base: str) -> dict[str, str]:
    """Prefixes used when writing Turtle/TriG: common vocabularies plus the dataset's IRIs."""
    ours = {name: f"{base}{name}/" for name in ("entity", "event", "source", "article", "claim")}
    return {**COMMON_PREFIXES, **ours}


def _settings(config: Settings | Mapping[str, Any] | None) -> Settings:
    if config is None:
        return Settings.from_env()
    if isinstance(config, Settings):
        return config.normalised()
    known = {f.name for f in dataclasses.fields(Settings)}
    return Settings.from_env(**{k: v for k, v in config.items() if k in known})


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings (env by default), build artefacts, engine, blueprints."""
    settings = _settings(config)
    engine: Engine
    if settings.store_url:
        from server.remote import open_remote

        artefacts, engine = open_remote(settings, prefixes_for)
    else:
        artefacts = Artefacts.load(settings.build_dir)
        spec = StoreSpec(
            dataset_path=artefacts.dataset_path.resolve(),
            default_graphs=artefacts.default_graphs,
            prefixes=tuple(prefixes_for(artefacts.base).items()),
        )
        engine = LocalEngine(
            spec,
            max_rows=settings.max_result_rows,
            cache_bytes=settings.cache_bytes,
            pool_size=settings.executors_per_worker,
        )
    atexit.register(engine.close)

    app = Flask(__name__)
    app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
        app.wsgi_app, lambda: engine.generation, settings.cache_bytes // 4
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = AppState(settings, artefacts, engine)

    from server import browse, describe, health, sparql, store

    browse.register(app)  # first: its query page at "/" takes over describe's placeholder index
    for module in (sparql, store, describe, health):
        app.register_blueprint(module.bp)
    errors.register(app)
    cors.register(app)
    return app
