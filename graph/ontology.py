"""Load the OWL ontology of ``ontology/``."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .errors import BuildError

ONTOLOGY_FILE = "dprk-kg.ttl"


def load_ontology(ontology_dir: Path) -> Graph:
    """The ontology graph (``dprk-kg.ttl``)."""
    path = ontology_dir / ONTOLOGY_FILE
    if not path.is_file():
        raise BuildError("the ontology is missing", file=path)
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise BuildError(f"cannot parse the ontology: {exc}", file=path) from exc
