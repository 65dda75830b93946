"""Self-description: the SPARQL 1.1 Service Description, VoID and a small index page.

The service description is honest about the dataset: the default graph is the union of the
asserted and inferred graphs only (so no ``sd:UnionDefaultGraph``); every graph is also a named
graph; the inferred graph carries the OWL 2 RL entailment it materialises. Counts come from the
build's ``manifest.json``.
"""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from server.formats import GRAPH, negotiate, parse_accept, quality
from server.state import endpoint_url, root_url, state

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
OWL_PROFILE = Namespace("http://www.w3.org/ns/owl-profile/")

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}

bp = Blueprint("describe", __name__)


def _wants_html() -> bool:
    """True if Accept names text/html and rates it at least as high as any RDF format."""
    ranges = parse_accept(request.headers.get("Accept"))
    html = quality("text/html", ranges)
    rdf = max(quality(t, ranges) for f in GRAPH for t in f.all_types)
    explicit = any(media == "text/html" for media, _ in ranges)
    return html > 0 and (html > rdf or (explicit and html == rdf))


def _rdf_response(graph: Graph) -> Response:
    override = request.args.get("format")
    fmt = negotiate(GRAPH, request.headers.get("Accept"), override)
    if fmt is None:
        fmt = GRAPH[0]
    body = graph.serialize(format=RDFLIB_FORMATS[fmt.key])
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def service_graph() -> Graph:
    """The service description of this endpoint as an rdflib graph."""
    st = state()
    art = st.artefacts
    counts = art.graph_counts
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS)
    g.bind("ent", ENTAILMENT)
    g.bind("profile", OWL_PROFILE)
    service = URIRef(endpoint_url())
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if st.settings.updates_enabled:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    if st.settings.service_allowlist:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
        for allowed in st.settings.service_allowlist:
            g.add((service, RDFS.seeAlso, URIRef(allowed)))
    g.add((service, SD.feature, SD.EmptyGraphs))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    for name in ("Turtle", "N-Triples", "RDF_XML", "N-Quads", "TriG", "JSON-LD"):
        g.add((service, SD.inputFormat, FORMATS[name]))

    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.source, URIRef(root_url() + ".well-known/void")))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    asserted, inferred = art.default_graphs
    g.add(
        (
            default,
            RDFS.comment,
            Literal(
                f"The union of the named graphs <{asserted}> (asserted facts) and <{inferred}> "
                "(their OWL 2 RL closure); the ontology graph is not included."
            ),
        )
    )
    union = counts.get(asserted, 0) + counts.get(inferred, 0)
    g.add((default, VOID.triples, Literal(union, datatype=XSD.integer)))
    for iri, count in sorted(counts.items()):
        named = BNode(f"named-{iri.rsplit('/', 1)[-1]}")
        described = BNode(f"graph-{iri.rsplit('/', 1)[-1]}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
        g.add((described, VOID.triples, Literal(count, datatype=XSD.integer)))
        if iri == inferred:
            g.add((named, SD.entailmentRegime, ENTAILMENT["OWL-RDF-Based"]))
            g.add((named, SD.entailmentProfile, OWL_PROFILE.RL))
            g.add(
                (
                    described,
                    RDFS.comment,
                    Literal(
                        "Triples entailed by OWL 2 RL rules (owlrl) from the ontology and asserted graphs."
                    ),
                )
            )
    return g


def service_description() -> Response:
    """Answer a query-less GET on /sparql: HTML for browsers, else RDF."""
    if _wants_html():
        return _html_page()
    return _rdf_response(service_graph())


def _html_page() -> Response:
    st = state()
    root = escape(root_url())
    counts = "".join(
        f"<li><code>{escape(iri)}</code>: {n} triples</li>"
        for iri, n in sorted(st.artefacts.graph_counts.items())
    )
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dprk-kg SPARQL endpoint</title></head>
<body><h1>dprk-kg SPARQL endpoint</h1>
<p>Send SPARQL 1.1 queries to <code>{escape(endpoint_url())}</code> (GET <code>?query=</code> or
POST). The default graph is asserted &cup; inferred; every graph is also a named graph.</p>
<ul>{counts}</ul>
<p><a href="{root}">Home</a> &middot; <a href="{root}sparql?format=turtle">Service description</a>
&middot; <a href="{root}.well-known/void">VoID</a> &middot; <a href="{root}store">Download</a></p>
</body></html>"""
    return Response(body, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


@bp.route("/")
def index() -> Response:
    """A minimal landing page linking to the endpoint and downloads."""
    return _html_page()


def void_graph() -> Graph:
    """The build's VoID plus endpoint and dump links under the public base URL."""
    st = state()
    g = Graph()
    text = st.artefacts.void_turtle()
    if text:
        g.parse(data=text, format="turtle")
    datasets = set(g.subjects(RDF.type, VOID.Dataset)) - set(g.objects(None, VOID.subset))
    if not datasets:
        node = URIRef(st.artefacts.base + "dataset")
        g.add((node, RDF.type, VOID.Dataset))
        datasets = {node}
    root = root_url()
    for node in datasets:
        g.add((node, VOID.sparqlEndpoint, URIRef(endpoint_url())))
        g.add((node, VOID.dataDump, URIRef(root + "store?format=nquads")))
        g.add((node, VOID.dataDump, URIRef(root + "store?format=trig")))
    g.bind("void", VOID)
    return g


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID description of the dataset (Turtle by default)."""
    return _rdf_response(void_graph())
