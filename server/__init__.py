"""The dprk-kg SPARQL endpoint (Flask + pyoxigraph). See ``server/settings.py`` for settings.

``create_app`` is imported lazily so that executor child processes, which import
``server.worker``, do not pay for Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from flask import Flask

    from server.settings import Settings


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app (``flask --app server run`` calls this with no argument)."""
    from server.app import create_app as _create_app

    return _create_app(config)
