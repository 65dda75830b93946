"""/store downloads: whole dataset, default graph, one graph; formats, ETag, gzip, 404, 405."""

from __future__ import annotations

import gzip

import pytest
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, parse

ASSERTED = "https://dprk-kg.example.org/graph/asserted"


def test_whole_dataset_is_trig_by_default_with_every_quad(client: FlaskClient, build_dir) -> None:
    response = client.get("/store")
    assert response.status_code == 200
    assert response.mimetype == "application/trig"
    assert response.headers["Content-Disposition"] == 'attachment; filename="dprk-kg-dataset.trig"'
    quads = set(parse(response.data, format=RdfFormat.TRIG))
    expected = set(parse(path=str(build_dir / "dataset.nq"), format=RdfFormat.N_QUADS))
    assert quads == expected


@pytest.mark.parametrize(
    ("query", "accept", "media", "fmt"),
    [
        ("", "application/n-quads", "application/n-quads", RdfFormat.N_QUADS),
        ("?format=nq", None, "application/n-quads", RdfFormat.N_QUADS),
        ("?default", None, "text/turtle", RdfFormat.TURTLE),
        ("?default", "application/n-triples", "application/n-triples", RdfFormat.N_TRIPLES),
        (f"?graph={ASSERTED}", "application/rdf+xml", "application/rdf+xml", RdfFormat.RDF_XML),
        (f"?graph={ASSERTED}&format=jsonld", None, "application/ld+json", RdfFormat.JSON_LD),
    ],
)
def test_formats_by_accept_or_parameter(client: FlaskClient, query, accept, media, fmt) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/store" + query.replace("#", "%23"), headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media
    assert len(list(parse(response.data, format=fmt))) > 0


def test_default_graph_is_the_union_of_asserted_and_inferred(client: FlaskClient) -> None:
    default = list(parse(client.get("/store?default&format=nt").data, format=RdfFormat.N_TRIPLES))
    asserted = list(parse(client.get(f"/store?graph={ASSERTED}&format=nt").data, format=RdfFormat.N_TRIPLES))
    assert len(default) == 46 and len(asserted) == 38


def test_etag_gives_304_and_changes_with_content(client: FlaskClient) -> None:
    first = client.get("/store?default")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    assert client.get("/store?default", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/store?default", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(f"/store?graph={ASSERTED}").headers["ETag"] != etag


def test_gzip_when_accepted(client: FlaskClient) -> None:
    plain = client.get("/store")
    zipped = client.get("/store", headers={"Accept-Encoding": "br, gzip;q=0.5"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] == plain.headers["ETag"]
    refused = client.get("/store", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers


def test_unknown_graph_is_404(client: FlaskClient) -> None:
    response = client.get("/store?graph=http://example.org/none")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_are_405(client: FlaskClient, method: str) -> None:
    response = client.open("/store?default", method=method, data=b"<a> <b> <c> .", content_type="text/turtle")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_head_has_headers_but_no_body(client: FlaskClient) -> None:
    response = client.head("/store?default")
    assert response.status_code == 200 and response.data == b""
    assert "ETag" in response.headers


def test_nothing_acceptable_is_406(client: FlaskClient) -> None:
    assert client.get("/store", headers={"Accept": "text/csv"}).status_code == 406
