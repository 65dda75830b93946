"""The SPARQL tokenizer behind the safety checks and the USING rewrite."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from server.lexer import LexError, add_using, analyse


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX a: <http://a/> BASE <http://b/> select * {}", "SELECT"),
        ("# SELECT\nASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <x>", "DESCRIBE"),
        ("CLEAR ALL", None),
    ],
)
def test_query_form(query: str, form: str | None) -> None:
    assert analyse(query).form == form


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }',
        "SELECT ?service WHERE { ?service ?p ?o }",
        "PREFIX service: <http://x/> SELECT * WHERE { service:a ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s <http://x/#SERVICE> ?o }",
        "SELECT * WHERE { ?s ?p '''\nSERVICE <http://x/>''' }",
    ],
)
def test_service_inside_strings_iris_comments_or_names_is_not_a_service(query: str) -> None:
    assert analyse(query).services == []


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("SELECT * { SERVICE <http://x/s> {} }", "http://x/s"),
        ("SELECT * { service silent <http://x/s> {} }", "http://x/s"),
        ("PREFIX e: <http://x/> SELECT * { SERVICE e:s {} }", "http://x/s"),
        ("BASE <http://x/a/> SELECT * { SERVICE <../s> {} }", "http://x/s"),
        ("SELECT * { SERVICE ?v {} }", None),
        ("SELECT * { SERVICE undeclared:s {} }", None),
    ],
)
def test_service_targets_are_resolved(query: str, target: str | None) -> None:
    assert analyse(query).services == [target]


def test_dataset_clauses_and_load() -> None:
    assert analyse("SELECT * FROM <g> {}").has_dataset_clause
    assert not analyse("SELECT ?from {}").has_dataset_clause
    assert analyse("load <http://x/>").has_load
    assert analyse("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_dataset_clause


def test_normalised_text_ignores_layout_and_comments_but_not_strings() -> None:
    a = analyse("SELECT  *\nWHERE { ?s ?p 'a  b' } # x")
    b = analyse("SELECT * WHERE {?s ?p 'a  b'}")
    c = analyse("SELECT * WHERE {?s ?p 'a b'}")
    assert a.normalised == b.normalised != c.normalised


def test_unterminated_string_is_a_lex_error() -> None:
    with pytest.raises(LexError):
        analyse("SELECT * { ?s ?p 'open }")


def test_add_using_gives_the_protocol_dataset_to_each_operation() -> None:
    store = Store()
    store.update(
        "INSERT DATA { GRAPH <http://g1> { <http://a> <http://p> 1 } "
        "GRAPH <http://g2> { <http://b> <http://p> 2 } }"
    )
    update = (
        "INSERT { GRAPH <http://out> { ?s a <http://Hit> } } WHERE { ?s ?p ?o } ; "
        "DELETE WHERE { ?s <http://p> 2 }"
    )
    store.update(add_using(update, ["http://g1"], []))
    hits = {str(s["s"]) for s in store.query("SELECT ?s { GRAPH <http://out> { ?s a <http://Hit> } }")}
    assert hits == {"<http://a>"}
    # DELETE WHERE saw only g1 as its default graph, so nothing in g2 was deleted
    assert store.query("ASK { GRAPH <http://g2> { <http://b> <http://p> 2 } }")
