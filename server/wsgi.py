"""The WSGI entry of the production server: ``server.wsgi:create`` (a factory).

Granian calls :func:`create` in each worker process; the settings come from the ``DPRK_KG_*``
environment, which ``dprk-kg serve`` fills from its flags before starting the server.
"""

from __future__ import annotations

from flask import Flask

from server import create_app
from server.settings import Settings


def create() -> Flask:
    """The app for this worker, configured from the environment."""
    return create_app(Settings.from_env())
