"""Our capped SELECT serializers agree with pyoxigraph's own ones on uncapped results."""

from __future__ import annotations

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, Store, parse_query_results

from server import results

DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "plain", "tab\\there", "quote \\" and , comma", "x"@en-GB, 42, 1.5, true,
    "2024-10"^^xsd:gYearMonth .
ex:a ex:q _:b1 .
_:b1 ex:p ex:c .
ex:c ex:p "<&>" .
"""
QUERY = "SELECT ?s ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?o ?z ?missing } } ORDER BY STR(?s) STR(?o)"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.load(DATA.encode(), format=RdfFormat.TURTLE)
    return s


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_same_solutions_as_pyoxigraph(store: Store, fmt: str) -> None:
    py_format = {
        "json": QueryResultsFormat.JSON,
        "xml": QueryResultsFormat.XML,
        "tsv": QueryResultsFormat.TSV,
    }[fmt]
    answer = store.query(QUERY)
    variables = [v.value for v in answer.variables]
    rows = [[sol[i] for i in range(len(variables))] for sol in answer]
    ours = parse_query_results(results.write(fmt, variables, rows), format=py_format)
    theirs = parse_query_results(store.query(QUERY).serialize(format=py_format), format=py_format)
    assert [v.value for v in ours.variables] == [v.value for v in theirs.variables]
    assert [[str(t) for t in r] for r in ours] == [[str(t) for t in r] for r in theirs]


def test_csv_matches_pyoxigraph_byte_for_byte(store: Store) -> None:
    answer = store.query(QUERY)
    variables = [v.value for v in answer.variables]
    rows = [[sol[i] for i in range(len(variables))] for sol in answer]
    ours = results.write("csv", variables, rows)
    theirs = store.query(QUERY).serialize(format=QueryResultsFormat.CSV)
    assert ours == theirs
