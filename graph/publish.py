"""``dprk-kg publish --to URL``: push the built named graphs to a SPARQL 1.1 Graph Store.

Each named graph of the build (ontology, asserted, inferred) replaces the graph of the same IRI
at the store with one HTTP PUT ``URL?graph=IRI`` (SPARQL 1.1 Graph Store HTTP Protocol §5.3,
indirect graph identification), as N-Triples cut from ``dataset.nq`` (default) or as the
``<graph>.ttl`` Turtle file. With ``--query-endpoint`` every graph is then counted with
``SELECT (COUNT(*) AS ?n) { GRAPH <IRI> { ?s ?p ?o } }`` and compared with ``manifest.json``;
any difference is an error (exit 1).

Credentials: ``--auth bearer:TOKEN`` or ``--auth basic:USER:PASSWORD``, or the same text in
the environment variable ``DPRK_KG_PUBLISH_AUTH`` (keeps secrets out of the process list).

    dprk-kg publish --out build --to http://127.0.0.1:7878/store \\
        --query-endpoint http://127.0.0.1:7878/query
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BuildError

FORMATS = {"ntriples": "application/n-triples", "turtle": "text/turtle"}
GRAPH_FILES = {"ontology": "ontology.ttl", "asserted": "asserted.ttl", "inferred": "inferred.ttl"}


@dataclass(frozen=True)
class Pushed:
    """One graph sent: its IRI, the triples the build counted, the HTTP status, the count seen."""

    graph: str
    expected: int
    status: int
    counted: int | None = None


def auth_header(spec: str | None) -> str | None:
    """The Authorization header for ``bearer:TOKEN`` or ``basic:USER:PASSWORD`` (None: none)."""
    if not spec:
        return None
    kind, _, secret = spec.partition(":")
    if kind.lower() == "bearer" and secret:
        return f"Bearer {secret}"
    if kind.lower() == "basic" and ":" in secret:
        return "Basic " + base64.b64encode(secret.encode("utf-8")).decode("ascii")
    raise ValueError("--auth must be bearer:TOKEN or basic:USER:PASSWORD")


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """``manifest.json`` of a build (BuildError when there is none)."""
    path = out_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"no readable build here (run `dprk-kg build` first): {exc}",
                         file=path) from exc


def ntriples_by_graph(nquads: Path, graphs: list[str]) -> dict[str, bytes]:
    """Split the sorted N-Quads of the build into one N-Triples document per graph."""
    suffixes = {g: f" <{g}> .".encode() for g in graphs}
    parts: dict[str, list[bytes]] = {g: [] for g in graphs}
    with open(nquads, "rb") as handle:
        for line in handle:
            line = line.rstrip(b"\n")
            if not line:
                continue
            for graph, suffix in suffixes.items():
                if line.endswith(suffix):
                    parts[graph].append(line[: -len(suffix)] + b" .\n")
                    break
            else:
                raise BuildError("a quad names a graph the manifest does not list", file=nquads)
    return {g: b"".join(lines) for g, lines in parts.items()}


def _request(url: str, method: str, body: bytes | None, headers: dict[str, str],
             timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        raise BuildError(f"{method} {url}: HTTP {exc.code} {exc.reason}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise BuildError(f"{method} {url}: {exc}") from exc


def graph_url(store: str, graph: str) -> str:
    """``store?graph=IRI`` (or ``&graph=`` when the store URL has a query already)."""
    joiner = "&" if urllib.parse.urlsplit(store).query else "?"
    return f"{store}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def count(query_endpoint: str, graph: str, headers: dict[str, str], timeout: float) -> int:
    """Triples the endpoint holds in ``graph`` (SPARQL 1.1 Protocol, form POST)."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    body = urllib.parse.urlencode({"query": query}).encode("ascii")
    _, data = _request(query_endpoint, "POST", body, {
        **headers, "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"}, timeout)
    try:
        return int(json.loads(data)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BuildError(f"unexpected COUNT answer from {query_endpoint}: {data[:200]!r}") from exc


def publish(out_dir: Path, store: str, *, fmt: str = "ntriples", auth: str | None = None,
            query_endpoint: str | None = None, timeout: float = 300.0) -> list[Pushed]:
    """PUT every named graph of the build in ``out_dir`` to ``store``; verify counts if asked."""
    manifest = read_manifest(out_dir)
    expected: dict[str, int] = manifest["graphs"]
    headers = {}
    header = auth_header(auth)
    if header:
        headers["Authorization"] = header
    if fmt == "ntriples":
        bodies = ntriples_by_graph(out_dir / "dataset.nq", list(expected))
    elif fmt == "turtle":
        by_name = {iri.rsplit("/", 1)[-1]: iri for iri in expected}
        bodies = {by_name[name]: (out_dir / file).read_bytes()
                  for name, file in GRAPH_FILES.items() if name in by_name}
    else:
        raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    results = []
    for graph in sorted(bodies):
        status, _ = _request(graph_url(store, graph), "PUT", bodies[graph],
                             {**headers, "Content-Type": FORMATS[fmt]}, timeout)
        counted = count(query_endpoint, graph, headers, timeout) if query_endpoint else None
        results.append(Pushed(graph, expected[graph], status, counted))
    return results


def _run(args: argparse.Namespace) -> int:
    from .cli import settings_from

    settings = settings_from(args)
    auth = args.auth or os.environ.get("DPRK_KG_PUBLISH_AUTH")
    try:
        results = publish(settings.out_dir, args.to, fmt=args.format, auth=auth,
                          query_endpoint=args.query_endpoint, timeout=args.timeout)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = False
    for r in results:
        line = f"PUT <{r.graph}>: {r.expected} triples, HTTP {r.status}"
        if r.counted is not None:
            ok = r.counted == r.expected
            failed |= not ok
            line += f", endpoint counts {r.counted}" + ("" if ok else " — MISMATCH")
        print(line)
    return 1 if failed else 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``publish`` sub-command."""
    from .cli import add_settings_arguments

    parser = subparsers.add_parser(
        "publish", help="PUT the built named graphs to a SPARQL 1.1 Graph Store endpoint",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_settings_arguments(parser)
    parser.add_argument("--to", required=True, help="Graph Store URL, e.g. http://host/store")
    parser.add_argument("--query-endpoint", help="SPARQL query URL to verify the counts with")
    parser.add_argument("--format", choices=sorted(FORMATS), default="ntriples",
                        help="what to send (default: %(default)s)")
    parser.add_argument("--auth", help="bearer:TOKEN or basic:USER:PASSWORD "
                                       "(or env DPRK_KG_PUBLISH_AUTH)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per request")
    parser.set_defaults(func=_run)
    return parser
