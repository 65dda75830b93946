"""Service description on /sparql, VoID on /.well-known/void, the index page."""

from __future__ import annotations

from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
INFERRED = URIRef("https://dprk-kg.example.org/graph/inferred")


def service_graph(client: FlaskClient, accept: str = "text/turtle", fmt: str = "turtle") -> Graph:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    return Graph().parse(data=response.data, format=fmt)


def test_service_description_describes_the_dataset_honestly(client: FlaskClient) -> None:
    g = service_graph(client)
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) not in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    dataset = g.value(service, SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    assert g.value(default, VOID.triples) == Literal(46)
    names = {g.value(n, SD.name): n for n in g.objects(dataset, SD.namedGraph)}
    assert INFERRED in names
    inferred = names[INFERRED]
    assert g.value(inferred, SD.entailmentRegime) == URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
    assert g.value(inferred, SD.entailmentProfile) == URIRef("http://www.w3.org/ns/owl-profile/RL")
    assert g.value(g.value(inferred, SD.graph), VOID.triples) == Literal(8)
    formats = set(g.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats


def test_service_description_in_rdf_xml_and_html(client: FlaskClient) -> None:
    assert len(service_graph(client, "application/rdf+xml", "xml")) > 10
    browser = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    )
    assert browser.mimetype == "text/html"
    assert 'href="http://localhost/"' in browser.get_data(as_text=True)
    assert client.get("/sparql", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_public_base_url_is_used_behind_a_proxy(make_app) -> None:
    client = make_app(public_base_url="https://kg.example.org/app").test_client()
    g = Graph().parse(data=client.get("/sparql").data, format="turtle")
    assert (URIRef("https://kg.example.org/app/sparql"), RDF.type, SD.Service) in g
    void = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert URIRef("https://kg.example.org/app/sparql") in set(void.objects(None, VOID.sparqlEndpoint))


def test_update_language_is_advertised_only_when_enabled(make_app) -> None:
    client = make_app(update_token="t").test_client()
    g = Graph().parse(data=client.get("/sparql").data, format="turtle")
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in g


def test_void_is_the_build_void_plus_endpoint_and_dumps(client: FlaskClient) -> None:
    response = client.get("/.well-known/void")
    assert response.mimetype == "text/turtle"
    g = Graph().parse(data=response.data, format="turtle")
    dataset = URIRef("https://dprk-kg.example.org/dataset")
    assert g.value(dataset, VOID.triples) == Literal(64 + 3)  # fixture + 3 W3C triples
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    dumps = set(g.objects(dataset, VOID.dataDump))
    assert URIRef("http://localhost/store?format=nquads") in dumps
    # the subsets keep their counts and get no endpoint of their own
    assert len(set(g.subjects(VOID.sparqlEndpoint, None))) == 1


def test_index_links_to_the_endpoint(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "/sparql" in page and "/.well-known/void" in page
