"""``/sparql``: the SPARQL 1.1 Protocol (query and update operations).

Status codes: 200 results; 204 update done; 400 malformed request or query (the detail gives
pyoxigraph's ``line:column``); 403 updates off / bad token / LOAD / SERVICE not allowed; 406 no
acceptable format; 413 request too large; 415 wrong POST media type; 503 timeout or busy.

When a result has more than ``max_result_rows`` rows (or triples) it is cut, and the response
carries ``X-Result-Truncated: true``, ``X-Result-Rows: <n>`` and
``Warning: 199 - "result truncated to <n> rows"``. Without a query, GET answers the service
description (``server/describe.py``).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from server import describe, lexer, protocol, security
from server.engine import FormatChoice
from server.errors import ApiError
from server.formats import GRAPH, RESULTS, negotiate
from server.state import endpoint_url, state

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql() -> Response:
    """Dispatch a protocol request."""
    operation = protocol.parse(request)
    if operation.kind == "none":
        return describe.service_description()
    if operation.kind == "update":
        return _update(operation)
    return _query(operation)


def _analyse(text: str) -> lexer.Analysis:
    try:
        return lexer.analyse(text, base_iri=endpoint_url())
    except lexer.LexError as exc:
        raise ApiError(400, "Malformed query", str(exc)) from exc


def _query(operation: protocol.Operation) -> Response:
    st = state()
    analysis = _analyse(operation.text)
    security.check_services(analysis.services, st.settings)
    override = operation.param("format", "output")
    accept = request.headers.get("Accept")
    choice = FormatChoice(negotiate(RESULTS, accept, override), negotiate(GRAPH, accept, override))
    wanted = choice.results if analysis.form in {"SELECT", "ASK"} else choice.graph
    if analysis.form is not None and wanted is None:
        family = RESULTS if analysis.form in {"SELECT", "ASK"} else GRAPH
        offered = ", ".join(f.media_type for f in family)
        raise ApiError(406, "Not Acceptable", f"{analysis.form} results are available as {offered}.")
    default_graphs = operation.graphs("default-graph-uri")
    named_graphs = operation.graphs("named-graph-uri")
    result = st.engine.execute(
        operation.text,
        default_graphs,
        named_graphs,
        choice,
        st.settings.query_timeout,
        use_query_dataset=analysis.has_dataset_clause,
        base_iri=endpoint_url(),
        cache_key=analysis.normalised,
    )
    response = Response(result.body, content_type=result.format.content_type)
    response.headers["Vary"] = "Accept"
    if result.truncated:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-Result-Rows"] = str(result.rows)
        response.headers["Warning"] = f'199 - "result truncated to {result.rows} rows"'
    response.headers["X-Cache"] = "hit" if result.cached else "miss"
    return response


def _update(operation: protocol.Operation) -> Response:
    st = state()
    analysis = _analyse(operation.text)
    security.check_no_load(analysis.has_load)
    security.check_update_allowed(request.headers.get("Authorization"), st.settings)
    security.check_services(analysis.services, st.settings)
    using = operation.graphs("using-graph-uri") or []
    using_named = operation.graphs("using-named-graph-uri") or []
    text = operation.text
    if using or using_named:
        if analysis.has_dataset_clause:
            raise ApiError(
                400,
                "Dataset conflict",
                "Use either using-graph-uri/using-named-graph-uri or USING/WITH in the "
                "update, not both (SPARQL 1.1 Protocol §2.2.3).",
            )
        text = lexer.add_using(text, using, using_named)
    st.engine.update(text, st.settings.query_timeout, base_iri=endpoint_url())
    return Response(status=204)
