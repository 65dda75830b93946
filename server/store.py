"""``/store``: read-only downloads in the style of the SPARQL 1.1 Graph Store Protocol.

* no parameter: the whole dataset (TriG by default, N-Quads, JSON-LD);
* ``?default``: the SPARQL default graph (asserted ∪ inferred) — Turtle by default, N-Triples,
  JSON-LD, RDF/XML;
* ``?graph=IRI``: one named graph (same formats; 404 if unknown).

Format by ``Accept`` or ``format=``. Responses carry ``Content-Disposition: attachment``, a
strong ``ETag`` (SHA-256 of the uncompressed body; 304 on a matching ``If-None-Match``) and are
gzip-compressed when ``Accept-Encoding`` allows it. While the data is as built, a download that
an artefact file holds exactly (the dataset as TriG or N-Quads, a named graph as Turtle) is
streamed from that file, with its manifest checksum as the ETag and byte ranges honoured.
PUT, POST and DELETE answer 405: the dataset is built, not edited (SPARQL Update, when
enabled, is on ``/sparql``).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Response, request, send_file

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
    filename = f"dprk-kg-{name}.{fmt.extension}"
    # While the data is as built, an artefact file that is exactly this download is streamed
    # from disk: no copy in memory, whatever its size.
    as_file = None if st.engine.generation else st.artefacts.download_file(target, fmt.key)
    if as_file is not None:
        return _download_file(*as_file, fmt, filename)
    body = st.engine.dump(target, fmt, st.settings.query_timeout)
    return _download(body, fmt, filename)


def _slug(iri: str) -> str:
    tail = iri.rstrip("/#").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", tail) or "graph"


def _headers(etag: str, filename: str) -> dict[str, str]:
    return {
        "ETag": f'"{etag}"',
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Vary": "Accept, Accept-Encoding",
        "Cache-Control": "no-cache",
    }


def _not_modified(etag: str) -> bool:
    """True if the request's If-None-Match names ``etag`` (or is ``*``)."""
    header = request.headers.get("If-None-Match", "")
    return header.strip() == "*" or etag in {t.strip('" ') for t in header.split(",")}


def _download(body: bytes, fmt: Format, filename: str) -> Response:
    etag = hashlib.sha256(body).hexdigest()
    headers = _headers(etag, filename)
    if _not_modified(etag):
        return Response(status=304, headers=headers)
    if accepts_gzip(request.headers.get("Accept-Encoding")):
        body = _gzip(body, etag)
        headers["Content-Encoding"] = "gzip"
    return Response(body, content_type=fmt.content_type, headers=headers)


def _download_file(path: Path, sha256: str, fmt: Format, filename: str) -> Response:
    """Stream an artefact file; its manifest SHA-256 is the ETag (as for bodies, uncompressed)."""
    headers = _headers(sha256, filename)
    if _not_modified(sha256):
        return Response(status=304, headers=headers)
    if accepts_gzip(request.headers.get("Accept-Encoding")):
        headers["Content-Encoding"] = "gzip"
        return Response(_gzip_stream(path), content_type=fmt.content_type, headers=headers)
    response = send_file(path, mimetype=fmt.content_type, conditional=True, etag=False, max_age=None)
    response.headers.update(headers)  # ours win over send_file's (name, ETag, caching)
    response.headers["Content-Type"] = fmt.content_type
    return response


def _gzip_stream(path: Path) -> Iterator[bytes]:
    """gzip of the file, produced chunk by chunk (no timestamp: the same file gives the same bytes)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if packed := packer.compress(chunk):
                yield packed
    yield packer.flush()


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
