"""The query page, the graph view, the timeline, the article list and vendored assets."""

from __future__ import annotations

from flask import Response, abort, send_file

from server.state import endpoint_url

from . import bp, querypage
from .claims import claims_linked_to
from .data import select
from .flows import all_flows
from .graphview import layout
from .iris import iri_base, page_url, url
from .render import page
from .timeline import entries


def articles() -> list[tuple[str, str | None]]:
    """``(label, public URL)`` of every news article, by label."""
    rows = select(
        "SELECT ?a (SAMPLE(?l) AS ?label) WHERE { ?a a dkg:NewsArticle OPTIONAL { ?a rdfs:label ?l } }"
        " GROUP BY ?a"
    )
    found = [(r["label"].value if "label" in r else r["a"].value, page_url(r["a"].value)) for r in rows]
    return sorted(found)


@bp.route("/")
def query_page() -> Response:
    """The SPARQL query page (YASGUI), with the competency queries as example tabs."""
    base = iri_base()
    examples = querypage.examples()
    config = {
        "endpoint": endpoint_url(),
        "prefixes": querypage.prefixes(base),
        "defaultQuery": querypage.default_query(base),
        "examples": [{"name": e.name, "title": e.title, "query": e.query} for e in examples],
    }
    asserted, inferred = (f"{base}graph/{n}" for n in ("asserted", "inferred"))
    downloads = [
        ("Whole dataset (TriG)", url("store?format=trig")),
        ("Whole dataset (N-Quads)", url("store?format=nquads")),
        ("Default graph: asserted ∪ inferred (Turtle)", url("store?default&format=turtle")),
        ("Asserted graph (Turtle)", url(f"store?graph={asserted}&format=turtle")),
        ("Inferred graph (Turtle)", url(f"store?graph={inferred}&format=turtle")),
        ("VoID description of the dataset", url(".well-known/void")),
        ("SPARQL service description", url("sparql?format=turtle")),
    ]
    return page(
        "query.html",
        installed=querypage.vendor_installed(),
        examples=examples,
        config=config,
        endpoint=endpoint_url(),
        downloads=downloads,
        articles=articles(),
    )


@bp.route("/vendor/<name>")
def vendor(name: str) -> Response:
    """A front-end file installed by ``npm ci`` (only the allow-listed ones)."""
    path = querypage.vendor_path(name)
    if path is None:
        abort(404, description=f"/vendor/{name} is not installed: run `npm ci` in the repository root.")
    response = send_file(path, conditional=True, max_age=3600)
    return response


@bp.route("/graph")
def graph_view() -> Response:
    """Actors and the deployments and transfers between them, each arrow opening its evidence."""
    flows = all_flows()
    evidence = claims_linked_to([f.event.iri for f in flows], ("about",))
    return page("graph.html", layout=layout(flows), flows=flows, evidence=evidence)


@bp.route("/timeline")
def timeline() -> Response:
    """Dated events and documents; inferred dates marked, with the article's wording."""
    return page("timeline.html", entries=entries())


@bp.route("/articles")
def article_list() -> Response:
    """Every article, linking to its view."""
    return page("articles.html", articles=articles())
