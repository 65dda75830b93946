"""``/health``: liveness and what is being served."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from server.errors import ApiError
from server.state import state

bp = Blueprint("health", __name__)


@bp.route("/health")
def health() -> Response:
    """JSON ``{status, triples, graphs, manifest_sha256, generation}``; 503 if the engine fails."""
    st = state()
    try:
        stats = st.engine.stats(min(st.settings.query_timeout, 30.0))
    except ApiError as exc:
        response = jsonify(
            {
                "status": "unavailable",
                "detail": exc.detail,
                "manifest_sha256": st.artefacts.manifest_sha256,
            }
        )
        response.status_code = 503
        return response
    return jsonify(
        {
            "status": "ok",
            "triples": stats["triples"],
            "graphs": {k: v for k, v in stats["graphs"].items() if k},
            "manifest_sha256": st.artefacts.manifest_sha256,
            "generation": st.engine.generation,
        }
    )
