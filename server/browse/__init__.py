"""Browsing the graph: cool URIs, resource and article pages, the query page and pictures.

Routes (see ``docs/browsing.md``):

* ``/{entity,event,source,article,claim,span}/<id>[.html|.ttl|.jsonld|.nt|.rdf]`` — every IRI of
  the dataset's namespace resolves here (``server/browse/resource.py``);
* ``/`` — the query page (YASGUI from ``node_modules``, served by ``/vendor/<file>``);
* ``/graph`` — actors and flows; ``/timeline`` — dated events; ``/articles`` — article list;
* ``/assets/<file>`` — this package's CSS and JS (``server/static``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint(
    "browse",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/assets",
)


def register(app: Flask) -> None:
    """Register the browsing routes on ``app`` (before blueprints that might claim ``/``)."""
    from . import resource, views  # noqa: F401  (route registration)

    app.register_blueprint(bp)
