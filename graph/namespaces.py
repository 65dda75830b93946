"""Namespaces used across the build, and the prefixes written into every artefact."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

DKG = Namespace("https://dprk-kg.example.org/ontology#")
ONTOLOGY_IRI = "https://dprk-kg.example.org/ontology"
SCHEMA = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

PREFIXES: dict[str, object] = {
    "dkg": DKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "sem": SEM,
    "oa": OA,
    "wd": WD,
    "void": VOID,
    "sd": SD,
    "sh": SH,
}


def data_prefixes(base: str) -> dict[str, str]:
    """Prefixes for data IRIs minted under ``base``."""
    return {
        "entity": f"{base}entity/",
        "event": f"{base}event/",
        "source": f"{base}source/",
        "article": f"{base}article/",
        "claim": f"{base}claim/",
        "span": f"{base}span/",
    }
