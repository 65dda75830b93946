"""The query page's inputs: example queries from ``queries/*.rq`` and vendored YASGUI files.

YASGUI (``@zazuko/yasgui``) is installed from the npm registry by ``npm ci`` (``package.json``
and ``package-lock.json`` at the repository root pin it exactly) and served by our own
``/vendor/`` route from ``node_modules`` — never from a CDN. Only the files listed in
:data:`VENDOR_FILES` are served.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.state import state

VENDOR_FILES = {
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
}
"""Public name under ``/vendor/`` → path inside ``node_modules``."""

PREFIXES = {
    "dkg": "https://dprk-kg.example.org/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "wd": "http://www.wikidata.org/entity/",
}


@dataclass(frozen=True)
class Example:
    """One competency query."""

    name: str
    title: str
    query: str


def prefixes(base: str) -> dict[str, str]:
    """Prefixes preset in the editor: vocabularies plus the dataset's own namespaces."""
    ours = {k: f"{base}{k}/" for k in ("entity", "event", "source", "article", "claim", "span")}
    return {**PREFIXES, **ours}


def examples(directory: Path | None = None) -> list[Example]:
    """The ``*.rq`` files of ``queries_dir`` (read now, so edits show up without a restart)."""
    directory = directory or state().settings.queries_dir
    found = []
    for path in sorted(directory.glob("*.rq")) if directory.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        comments = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            comments.append(line.lstrip("#").strip())
        title = " ".join(comments).strip() or path.stem
        found.append(Example(path.stem, title, text))
    return found


def vendor_path(name: str) -> Path | None:
    """The installed file behind ``/vendor/<name>``, or None (unknown or not installed)."""
    relative = VENDOR_FILES.get(name)
    if relative is None:
        return None
    path = state().settings.node_modules_dir / relative
    return path if path.is_file() else None


def vendor_installed() -> bool:
    """True when every vendored file is present (``npm ci`` was run)."""
    return all(vendor_path(name) is not None for name in VENDOR_FILES)


def default_query(base: str) -> str:
    """The first tab's query: prefixes and a small listing of actors."""
    lines = [f"PREFIX {k}: <{v}>" for k, v in prefixes(base).items() if k in {"dkg", "rdfs", "entity"}]
    lines += [
        "",
        "SELECT ?actor ?label WHERE {",
        "  ?actor a dkg:Actor ; rdfs:label ?label .",
        "} ORDER BY ?label LIMIT 50",
    ]
    return "\n".join(lines)
