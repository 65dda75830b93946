"""Validation: SHACL shapes (pySHACL) over the asserted and inferred data."""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, SH

from .errors import BuildError


def load_shapes(ontology_dir: Path) -> Graph:
    """The SHACL shapes graph ``shapes.ttl``."""
    path = ontology_dir / "shapes.ttl"
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise BuildError(f"cannot parse the shapes: {exc}", file=path) from exc


def violations(data: Graph, shapes: Graph) -> list[str]:
    """One readable line per SHACL result of severity Violation (empty when the data conforms)."""
    conforms, report, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
    )
    if conforms:
        return []
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        lines.append(f"<{focus}> {('path <' + str(path) + '> ') if path else ''}violates {shape}: {message}")
    return sorted(lines)
