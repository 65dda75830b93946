"""Fuzzing every route with Hypothesis: generated and mutated SPARQL, odd bytes, headers, sizes.

Property (``hostile_support.check_response``): never a 5xx other than the documented 503
(timeout/busy), never a stack trace or server path in a body, and every body well-formed in
its announced format. The default run checks ~300 requests; ``DPRK_KG_LONG=1`` ≥ 10,000.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask
from hostile_support import LONG, TALLY, check_response, seed_operations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 2_100 if LONG else 60
"""Per fuzz test (five tests): 300 requests by default, 10,500 in the long run."""

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not LONG,  # the default run is reproducible; the long run explores
)

SEEDS = seed_operations()
VOCABULARY = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH", "SERVICE", "SILENT", "FROM", "NAMED", "LOAD", "INSERT", "DELETE", "DATA", "CLEAR",
    "GROUP BY", "ORDER BY", "LIMIT 1", "OFFSET 99999999999999999999", "VALUES", "BIND", "AS",
    "{", "}", "(", ")", "[", "]", ".", ";", ",", "*", "?x", "$y", "_:b", "a", "!", "^", "|", "/",
    "<http://127.0.0.1:1/>", "<file:///etc/passwd>", "<>", "<../../x>", '"\\u0000"', "'''",
    '"x"@en', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "1e999", "-0", "NaN",
    "REGEX(?x, \"(\")", "<<( ?s ?p ?o )>>", "\x00", "\ufeff", "\u202e", "\ud7ff", "\U0010ffff",
    "{" * 300, "(" * 300, "#", "\n", "PREFIX : <http://x/>", "BASE <http://127.0.0.1:1/>",
]
ACCEPTS = [
    None, "*/*", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
    "application/rdf+xml", "application/trig", "application/n-quads", "text/html", "text/plain",
    "application/json;q=0.1, text/*;q=0.9", "image/png", "text/html;q=0, */*;q=0",
    "application/xml, text/xml;q=nan", "*;q=inf", ",,,;;;", "text/turtle;q=-1, */*;q=1e9",
]
CONTENT_TYPES = [
    None, "application/x-www-form-urlencoded", "application/sparql-query",
    "application/sparql-update", "application/sparql-query; charset=utf-8",
    "application/sparql-query; charset=latin-1", "application/sparql-update; charset=UTF-16",
    "application/x-www-form-urlencoded; charset=iso-8859-1", "multipart/form-data; boundary=x",
    "text/plain", "application/json", "application/ld+json", "application/sparql-query; charset=\x7f",
    "application/sparql-query;;;=", "*/*",
]
ROUTES = [
    "/sparql", "/sparql/", "/store", "/.well-known/void", "/health", "/", "/graph", "/timeline",
    "/articles", "/entity/russia", "/entity/russia.ttl", "/entity/russia.rdf", "/article/x",
    "/event/x.jsonld", "/claim/", "/span/a/b", "/vendor/yasgui.min.js", "/assets/x.css",
    "/nope", "/sparql/extra",
]
RAW_SUFFIXES = ["/..%2f..%2fetc%2fpasswd", "%00", "%c0%ae%c0%ae/", "/./../", "%ff%fe", "/%2e%2e/%2e%2e"]
"""Path suffixes sent as they are (already percent-encoded); other suffixes are quoted."""
METHODS = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]

header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=200,
)
any_text = st.text(max_size=300)


@st.composite
def mutated_sparql(draw: st.DrawFn) -> str:
    """A seed operation with up to five token- or character-level mutations."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 5))):
        pieces = re.findall(r"\s+|[^\s{}()\[\].;,]+|[{}()\[\].;,]", text) or [""]
        i = draw(st.integers(0, len(pieces) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "char", "truncate", "swap", "case"]))
        if op == "delete":
            del pieces[i : i + draw(st.integers(1, 4))]
        elif op == "duplicate":
            pieces.insert(i, pieces[i] * draw(st.integers(1, 3)))
        elif op == "insert":
            pieces.insert(i, draw(st.sampled_from(VOCABULARY)) + " ")
        elif op == "char":
            pieces.insert(i, draw(st.characters()))
        elif op == "truncate":
            pieces = pieces[:i]
        elif op == "swap":
            j = draw(st.integers(0, len(pieces) - 1))
            pieces[i], pieces[j] = pieces[j], pieces[i]
        else:
            pieces[i] = pieces[i].swapcase()
        text = "".join(pieces)
    return text


operations = st.one_of(mutated_sparql(), any_text, st.sampled_from(SEEDS))


def encode(text: str, how: str) -> bytes:
    """Encode ``text`` as UTF-8, Latin-1, UTF-16 or deliberately invalid UTF-8."""
    if how == "latin-1":
        return text.encode("latin-1", errors="replace")
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "invalid-utf8":
        return text.encode("utf-8") + b"\xc0\xae\xff\xfe\xed\xa0\x80"
    return text.encode("utf-8", errors="surrogatepass")


def run(app: Flask, method: str, path: str, **kwargs: Any) -> None:
    """Send one request through the test client and check the property."""
    headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if v is not None}
    response = app.test_client().open(path, method=method, headers=headers, **kwargs)
    TALLY.add()
    check_response(
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.get_data(),
        method,
    )


@FUZZ
@given(
    query=operations,
    accept=st.sampled_from(ACCEPTS),
    fmt=st.one_of(st.none(), st.sampled_from(["json", "xml", "csv", "tsv", "turtle", "rdf", "nt", "x"])),
    graphs=st.lists(st.one_of(st.just("http://kasei.us/2009/09/sparql/data/data1.rdf"), any_text), max_size=2),
)
def test_fuzz_sparql_get(hostile_app: Flask, query: str, accept: str | None, fmt: str | None, graphs: list[str]) -> None:
    params: list[tuple[str, str]] = [("query", query)]
    if fmt:
        params.append(("format", fmt))
    params += [("default-graph-uri", g) for g in graphs]
    qs = urlencode(params, encoding="utf-8", errors="surrogatepass")
    run(hostile_app, "GET", "/sparql", query_string=qs, headers={"Accept": accept})


@FUZZ
@given(
    operation=operations,
    kind=st.sampled_from(["query", "update"]),
    content_type=st.one_of(st.sampled_from(CONTENT_TYPES), header_text),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "invalid-utf8"]),
    accept=st.sampled_from(ACCEPTS),
    authorization=st.one_of(st.none(), st.just("Bearer x"), header_text),
)
def test_fuzz_sparql_post(
    hostile_app: Flask,
    operation: str,
    kind: str,
    content_type: str | None,
    encoding: str,
    accept: str | None,
    authorization: str | None,
) -> None:
    if content_type and content_type.startswith("application/x-www-form-urlencoded"):
        body = f"{kind}={quote(encode(operation, encoding))}".encode()
    else:
        body = encode(operation, encoding)
    headers = {"Accept": accept, "Content-Type": content_type, "Authorization": authorization}
    run(hostile_app, "POST", "/sparql", data=body, headers=headers)


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    suffix=st.one_of(st.just(""), any_text, st.sampled_from(RAW_SUFFIXES)),
    method=st.sampled_from(METHODS),
    params=st.lists(st.tuples(st.sampled_from(["graph", "default", "format", "query", "q", "x" * 300, ""]), any_text), max_size=4),
    accept=st.sampled_from(ACCEPTS),
)
def test_fuzz_routes(
    hostile_app: Flask, route: str, suffix: str, method: str, params: list[tuple[str, str]], accept: str | None
) -> None:
    path = route + (suffix if suffix in RAW_SUFFIXES else quote(suffix, safe="/"))
    path = "/" + path.lstrip("/")  # "//x" would be a network-path reference (host "x")
    qs = urlencode(params, encoding="utf-8", errors="surrogatepass")
    run(hostile_app, method, path, query_string=qs, headers={"Accept": accept})


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    method=st.sampled_from(["GET", "OPTIONS", "HEAD"]),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "Accept": st.one_of(st.sampled_from(ACCEPTS[1:]), header_text),
            "Accept-Encoding": st.one_of(st.sampled_from(["gzip", "gzip;q=0, *;q=1", "*;q=nan", "br"]), header_text),
            "If-None-Match": st.one_of(st.just("*"), header_text),
            "Origin": st.one_of(st.sampled_from(["https://allowed.example", "null", "http://evil.example"]), header_text),
            "Access-Control-Request-Method": st.one_of(st.just("POST"), header_text),
            "Access-Control-Request-Headers": header_text,
            "Content-Type": st.one_of(st.sampled_from([c for c in CONTENT_TYPES if c]), header_text),
            "Range": header_text,
            "X-Forwarded-Host": header_text,
        },
    ),
)
def test_fuzz_headers(hostile_app: Flask, route: str, method: str, headers: dict[str, str]) -> None:
    run(hostile_app, method, route, query_string="query=ASK%7B%7D", headers=headers)


@FUZZ
@given(
    route=st.sampled_from(["/sparql", "/store", "/entity/russia", "/", "/.well-known/void"]),
    raw=st.binary(max_size=400),
    size=st.sampled_from([0, 0, 0, 70_000, 1_100_000]),
    method=st.sampled_from(["GET", "POST"]),
    content_type=st.sampled_from(CONTENT_TYPES),
)
def test_fuzz_raw_bytes(
    hostile_app: Flask, route: str, raw: bytes, size: int, method: str, content_type: str | None
) -> None:
    """Raw query strings (percent-encoded arbitrary bytes) and huge bodies or parameters."""
    qs = "query=" + quote(raw) + ("&x=" + "A" * size if method == "GET" and size else "")
    body = raw + b"q" * size if method == "POST" else None
    run(hostile_app, method, route, query_string=qs, data=body, headers={"Content-Type": content_type})
