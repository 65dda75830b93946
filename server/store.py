"""``/store``: read-only downloads in the style of the SPARQL 1.1 Graph Store Protocol.

* no parameter: the whole dataset (TriG by default, N-Quads, JSON-LD);
* ``?default``: the SPARQL default graph (asserted ∪ inferred) — Turtle by default, N-Triples,
  JSON-LD, RDF/XML;
* ``?graph=IRI``: one named graph (same formats; 404 if unknown).

Format by ``Accept`` or ``format=``. Responses carry ``Content-Disposition: attachment``, a
strong ``ETag`` (SHA-256 of the uncompressed body; 304 on a matching ``If-None-Match``) and are
gzip-compressed when ``Accept-Encoding`` allows it. PUT, POST and DELETE answer 405: the
dataset is built, not edited (SPARQL Update, when enabled, is on ``/sparql``).
"""

from __future__ import annotations

import gzip
import hashlib
import re

from flask import Blueprint, Response, request

from server.errors import ApiError
from server.formats import DATASET, GRAPH, Format, negotiate
from server.protocol import check_iri
from server.state import state

bp = Blueprint("store", __name__)


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def store() -> Response:
    """Serve a download of the dataset or of one graph."""
    if request.method not in {"GET", "HEAD"}:
        raise ApiError(
            405,
            "Method Not Allowed",
            "The graph store is read-only: use GET or HEAD.",
            {"Allow": "GET, HEAD"},
        )
    st = state()
    graph_param = request.args.getlist("graph")
    if graph_param and "default" in request.args:
        raise ApiError(400, "Ambiguous target", "Give either `default` or `graph`, not both.")
    if len(graph_param) > 1:
        raise ApiError(400, "Several graphs", "Give at most one `graph` parameter.")
    if graph_param:
        target, family, name = check_iri(graph_param[0], "`graph`"), GRAPH, _slug(graph_param[0])
    elif "default" in request.args:
        target, family, name = "DEFAULT", GRAPH, "default"
    else:
        target, family, name = "ALL", DATASET, "dataset"
    fmt = negotiate(family, request.headers.get("Accept"), request.args.get("format"))
    if fmt is None:
        offered = ", ".join(f.media_type for f in family)
        raise ApiError(406, "Not Acceptable", f"This download is available as {offered}.")
    body = st.engine.dump(target, fmt, st.settings.query_timeout)
    return _download(body, fmt, f"dprk-kg-{name}.{fmt.extension}")


def _slug(iri: str) -> str:
    tail = iri.rstrip("/#").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", tail) or "graph"


def _download(body: bytes, fmt: Format, filename: str) -> Response:
    etag = hashlib.sha256(body).hexdigest()
    headers = {
        "ETag": f'"{etag}"',
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Vary": "Accept, Accept-Encoding",
        "Cache-Control": "no-cache",
    }
    if etag in {t.strip('" ') for t in request.headers.get("If-None-Match", "").split(",")} or (
        request.headers.get("If-None-Match", "").strip() == "*"
    ):
        return Response(status=304, headers=headers)
    if accepts_gzip(request.headers.get("Accept-Encoding")):
        body = _gzip(body, etag)
        headers["Content-Encoding"] = "gzip"
    return Response(body, content_type=fmt.content_type, headers=headers)


def accepts_gzip(header: str | None) -> bool:
    """True if an Accept-Encoding header allows gzip (explicitly or through ``*``)."""
    weights: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        key, _, value = params.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 1.0
        if name:
            weights[name.strip().lower()] = q
    if "gzip" in weights:
        return weights["gzip"] > 0
    return weights.get("*", 0.0) > 0


_GZIP_CACHE: dict[str, bytes] = {}


def _gzip(body: bytes, etag: str) -> bytes:
    cached = _GZIP_CACHE.get(etag)
    if cached is None:
        cached = gzip.compress(body, compresslevel=6, mtime=0)
        if len(_GZIP_CACHE) > 32:
            _GZIP_CACHE.clear()
        _GZIP_CACHE[etag] = cached
    return cached
