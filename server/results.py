"""Serializers for SELECT solutions that may be cut at the row cap.

pyoxigraph's own ``QuerySolutions.serialize`` can only write a whole, unconsumed iterator, so a
capped result (``islice`` of the solutions) is written here, following the W3C formats: SPARQL
1.1 Query Results JSON, XML, CSV and TSV (also RDF 1.2 triple terms in JSON/XML/TSV). Booleans
and graphs are written by pyoxigraph. ``tests/server/test_results.py`` checks that, for uncut
results, the output parses to the same solutions as pyoxigraph's serializers produce.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

Term = Any  # NamedNode | BlankNode | Literal | Triple
Row = Sequence[Term | None]


def write(fmt: str, variables: list[str], rows: list[Row]) -> bytes:
    """Serialize ``rows`` (one term or None per variable) in format ``fmt`` (json/xml/csv/tsv)."""
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt]
    return writer(variables, rows)


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _json(variables: list[str], rows: list[Row]) -> bytes:
    bindings = [
        {var: _json_term(term) for var, term in zip(variables, row, strict=True) if term is not None}
        for row in rows
    ]
    doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = quoteattr(term.datatype.value)
            return f"<literal datatype={dt}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _xml(variables: list[str], rows: list[Row]) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
    for var in variables:
        out.write(f"<variable name={quoteattr(var)}/>")
    out.write("</head><results>")
    for row in rows:
        out.write("<result>")
        for var, term in zip(variables, row, strict=True):
            if term is not None:
                out.write(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
        out.write("</result>")
    out.write("</results></sparql>")
    return out.getvalue().encode()


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def _csv(variables: list[str], rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_term(term) for term in row])
    return out.getvalue().encode()


def _tsv(variables: list[str], rows: list[Row]) -> bytes:
    lines = ["\t".join(f"?{var}" for var in variables)]
    for row in rows:
        lines.append("\t".join("" if term is None else str(term) for term in row))
    return ("\n".join(lines) + "\n").encode()
