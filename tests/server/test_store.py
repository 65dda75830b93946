"""/store downloads: whole dataset, default graph, one graph; formats, ETag, gzip, 404, 405."""

from __future__ import annotations

import gzip
import json

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


def test_whole_dataset_as_nquads_is_streamed_from_the_artefact_file(client: FlaskClient, build_dir) -> None:
    response = client.get("/store", headers={"Accept": "application/n-quads"})
    assert response.status_code == 200
    assert response.is_streamed or response.direct_passthrough
    assert response.data == (build_dir / "dataset.nq").read_bytes()
    manifest = json.loads((build_dir / "manifest.json").read_text())
    assert response.headers["ETag"] == f'"{manifest["files"]["dataset.nq"]}"'
    assert response.headers["Content-Disposition"] == 'attachment; filename="dprk-kg-dataset.nq"'
    zipped = client.get("/store?format=nq", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == response.data
    assert zipped.headers["ETag"] == response.headers["ETag"]
    again = client.get("/store?format=nq", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_streamed_download_honours_byte_ranges(client: FlaskClient, build_dir) -> None:
    whole = (build_dir / "dataset.nq").read_bytes()
    response = client.get("/store?format=nq", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.data == whole[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"


def test_after_an_update_downloads_come_from_the_data_not_the_file(make_app, build_dir) -> None:
    client = make_app(update_token="t").test_client()
    before = client.get("/store?format=nq").data
    assert before == (build_dir / "dataset.nq").read_bytes()
    done = client.post(
        "/sparql",
        data={"update": "INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> <urn:o> } }"},
        headers={"Authorization": "Bearer t"},
    )
    assert done.status_code == 204
    after = client.get("/store?format=nq").data
    assert b"<urn:s> <urn:p> <urn:o> <urn:g> ." in after
    assert len(after.splitlines()) == len(before.splitlines()) + 1
