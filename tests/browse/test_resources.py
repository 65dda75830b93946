"""Cool URIs over the real dataset: status codes, content negotiation and headers."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

BASE = "https://dprk-kg.example.org/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RUSSIA = f"{BASE}entity/russia"
RDF_FORMATS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}
PATHS = [
    "entity/russia",
    "event/north-korean-deployment-2024-11",
    "source/kcna-report-2025-08-15",
    "article/000_24d540ed9a0fd9f0",
    "claim/000_24d540ed9a0fd9f0/casualties-4000",
    "claim/000_24d540ed9a0fd9f0/casualties-4000/value",
    "span/000_24d540ed9a0fd9f0/187-296",
    "span/000_24d540ed9a0fd9f0/187-296/quote",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_kind_resolves_as_html_for_browsers(client: FlaskClient, path: str) -> None:
    response = client.get(f"/{path}", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Content-Location"] == f"http://localhost/{path}.html"
    assert "Accept" in response.headers["Vary"]
    assert f'<http://localhost/{path}.ttl>; rel="alternate describedby"' in response.headers["Link"]


@pytest.mark.parametrize("media_type", sorted(RDF_FORMATS))
def test_rdf_by_accept_parses_and_describes_the_resource(client: FlaskClient, media_type: str) -> None:
    ext, parser = RDF_FORMATS[media_type]
    response = client.get("/entity/russia", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Location"] == f"http://localhost/entity/russia.{ext}"
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.data, format=parser, publicID=BASE)
    russia = URIRef(RUSSIA)
    assert (
        russia,
        URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
        URIRef("http://www.wikidata.org/entity/Q159"),
    ) in graph
    # incoming links are part of the description (e.g. the deployment hosted by Russia)
    assert (
        URIRef(f"{BASE}event/north-korean-deployment-2024-11"),
        URIRef("https://dprk-kg.example.org/ontology#hostActor"),
        russia,
    ) in graph


@pytest.mark.parametrize(
    ("ext", "media_type"), [(v[0], k) for k, v in RDF_FORMATS.items()] + [("html", "text/html")]
)
def test_suffix_fixes_the_format_whatever_accept_says(client: FlaskClient, ext: str, media_type: str) -> None:
    response = client.get(f"/entity/russia.{ext}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Content-Location" not in response.headers
    assert 'rel="alternate' in response.headers["Link"]


def test_turtle_is_the_default_without_accept(client: FlaskClient) -> None:
    response = client.get("/entity/russia")
    assert response.mimetype == "text/turtle"


def test_span_description_includes_its_selectors(client: FlaskClient) -> None:
    response = client.get("/span/000_24d540ed9a0fd9f0/187-296.nt")
    text = response.get_data(as_text=True)
    assert "<http://www.w3.org/ns/oa#exact>" in text
    assert '"187"' in text and '"296"' in text


def test_head_is_answered(client: FlaskClient) -> None:
    response = client.head("/entity/russia", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Location"].endswith("/entity/russia.ttl")


@pytest.mark.parametrize("path", ["/entity/no-such-thing", "/event/nope.ttl", "/claim/x/y", "/span/a/1-2"])
def test_unknown_id_is_json_404_for_data_clients(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert json.loads(response.data)["error"]["status"] == 404


def test_unknown_id_is_html_404_for_browsers(client: FlaskClient) -> None:
    response = client.get("/entity/no-such-thing", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "entity/no-such-thing" in response.get_data(as_text=True)
    assert client.get("/entity/no-such-thing.html").mimetype == "text/html"


@pytest.mark.parametrize(
    "path", ["/entity/a%20b", "/entity/%3Cx%3E", "/entity/x%22y", "/entity/..", "/entity/a//b"]
)
def test_hostile_ids_are_404_not_500(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404


def test_nothing_acceptable_is_406(client: FlaskClient) -> None:
    response = client.get("/entity/russia", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]


def test_other_namespaces_are_not_resolved(client: FlaskClient) -> None:
    assert client.get("/graph/asserted", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/ontology", headers={"Accept": "text/turtle"}).status_code == 404
