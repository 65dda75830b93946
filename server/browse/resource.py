"""Cool URIs: every IRI of our namespace resolves at the same path on this server.

Design choice — **content-negotiated 200 with ``Content-Location``**, not a 303 redirect:
``GET /entity/russia`` answers the description directly (HTML for browsers; Turtle, JSON-LD,
N-Triples or RDF/XML by ``Accept``) with ``Content-Location: /entity/russia.<ext>`` naming the
document that was sent, ``Vary: Accept`` and a ``Link`` header listing every format's document
(Turtle also as ``rel="describedby"``). This saves the extra round trip of a 303 while still
distinguishing the thing (``/entity/russia``, e.g. the state of Russia) from the documents
that describe it (``/entity/russia.ttl`` …), as the W3C TAG's httpRange-14 follow-up allows. The
suffixed documents answer their one format, regardless of ``Accept``.

RDF descriptions come from the server's query engine: a CONSTRUCT over the union default graph
(asserted ∪ inferred) with the resource's outgoing triples, its incoming links, and the
triples of its own sub-resources (``…/quote``, ``…/position``, ``…/value``). An IRI about which
the dataset says nothing is a 404: an HTML page for browsers, the server's JSON error otherwise.
"""

from __future__ import annotations

from flask import Response, request

from server.errors import error_response

from . import article, bp, entity
from .conneg import HTML, RDF, Representation, choose, link_header, split_suffix
from .data import ask, construct
from .iris import iri_for, local_path, page_url, query_page_url, sparql_iri, url
from .render import page


def describe_query(iri: str) -> str:
    """CONSTRUCT of ``iri``'s description: out-links, in-links and its sub-resources."""
    node = sparql_iri(iri)
    return f"""CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} . ?sub ?sp ?so }} WHERE {{
  {{ {node} ?p ?o }}
  UNION {{ ?s ?q {node} }}
  UNION {{ {node} ?link ?sub . ?sub ?sp ?so FILTER(STRSTARTS(STR(?sub), CONCAT(STR({node}), "/"))) }}
}}"""


def exists(iri: str) -> bool:
    """True if the dataset (default graph) has any triple with ``iri`` as subject or object."""
    node = sparql_iri(iri)
    return ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")


@bp.route("/<any(entity, event, source, article, claim, span):kind>/<path:rest>")
def resource(kind: str, rest: str) -> Response:
    """Answer a resource of our namespace in the negotiated (or suffix-fixed) format."""
    stem, fixed = split_suffix(rest)
    iri = iri_for(kind, stem)
    if (
        fixed is not None
        and (iri is None or not exists(iri))
        and (whole := iri_for(kind, rest))
        and exists(whole)
    ):
        stem, fixed, iri = rest, None, whole  # an id that merely looks suffixed
    rep = fixed or choose(request.headers.get("Accept"))
    if rep is None:
        offered = ", ".join(r.media_type for r in RDF)
        response = error_response(406, "Not Acceptable", f"Resources are available as text/html, {offered}.")
        response.vary.add("Accept")
        return response
    if iri is None or not exists(iri):
        return not_found(f"{kind}/{stem}", rep, vary=fixed is None)
    if rep.fmt is None:
        response = _html(kind, iri)
    else:
        response = Response(construct(describe_query(iri), rep.fmt), content_type=rep.content_type)
    document = page_url(iri) or url(f"{kind}/{stem}")
    response.headers["Link"] = link_header(document)
    if fixed is None:
        response.headers["Content-Location"] = f"{document}.{rep.extension}"
        response.vary.add("Accept")
    return response


def _html(kind: str, iri: str) -> Response:
    query_url = query_page_url(f"DESCRIBE {sparql_iri(iri)}")
    if kind == "article":
        art = article.load(iri)
        if art is not None:
            return page("article.html", article=art, query_url=query_url, document=page_url(iri))
    data = entity.load(iri)
    if data is None:  # only in the default graph's DefaultGraph part (updates); nothing to show
        return not_found(local_path(iri) or iri, HTML)
    return page("entity.html", e=data, query_url=query_url, document=page_url(iri))


def not_found(path: str, rep: Representation | None, *, vary: bool = True) -> Response:
    """404 for an unknown id: an HTML page when HTML was asked for, else the JSON error."""
    detail = f"No resource <{path}> in this dataset."
    if rep is not None and rep.is_html:
        response = page("notfound.html", status=404, path=path)
    else:
        response = error_response(404, "Not Found", detail)
    if vary:
        response.vary.add("Accept")
    return response
