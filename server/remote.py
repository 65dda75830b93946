"""A remote SPARQL 1.1 store behind the :class:`server.engine.Engine` interface (``serve --store URL``).

:class:`RemoteEngine` forwards each query to a SPARQL 1.1 Protocol endpoint (Oxigraph, Fuseki,
QLever, …) and keeps everything else of ours: the protocol parsing, the safety checks (they run
before the engine is asked), content negotiation, the row cap and the result cache.

How a query is forwarded:

* ``POST`` ``application/x-www-form-urlencoded`` with ``query`` plus the dataset as protocol
  parameters. Without a dataset in the request or the query (``FROM``), ours is sent: the
  default graph = ``default-graph-uri`` asserted + inferred, and every known named graph as
  ``named-graph-uri`` (the Protocol says a request naming only default graphs has no named
  graphs). The graph list is read at start-up (manifest, else the remote), so graphs added to
  the remote later are visible only through ``FROM``/``named-graph-uri``.
* The base IRI (our endpoint URL) is sent as a ``BASE`` line in front of the query, so error
  positions reported by the remote are one line further down.
* We ask for SPARQL JSON results or N-Triples, parse them as they stream in (pyoxigraph), stop
  reading after ``max_rows + 1`` rows and write the negotiated format ourselves: answers are
  byte-compatible with the local engine and a huge remote result never reaches memory.
* The whole exchange has one deadline (``query_timeout``): the socket timeout is re-armed with
  the remaining time before every read and the connection is closed when it runs out — answer
  503 ``Query timeout``. The remote may keep computing; give it its own limit (Oxigraph:
  ``serve --timeout-s``). Connection failures and 5xx answers are 502 ``Store unavailable``;
  a remote 400 is our 400 ``Malformed query``.
* SERVICE targets are checked by us (allow-list) but fetched by the remote, from its network.
* Updates are refused (403): the remote store is maintained by its own tools.

``/store`` downloads come from the local artefacts (``dataset.nq``) when the build directory has
them — term for term what was built — and otherwise from the remote's SPARQL 1.1 Graph Store
Protocol endpoint (``store_graph_store_url``, by default the store URL with its last path
segment replaced by ``store``, as in Oxigraph): ``GET`` of the whole dataset as N-Quads, or
``?graph=IRI`` as N-Triples per graph, re-serialized in the requested format.

Connections are pooled (keep-alive, stdlib ``http.client``); a pooled connection the remote
has closed is retried once on a fresh one (queries and downloads are idempotent).
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from server import results
from server.artefacts import DATASET, MANIFEST, Artefacts
from server.cache import ByteLRU
from server.engine import FormatChoice, Result, result_cache_key, through_cache
from server.errors import ApiError
from server.formats import Format
from server.settings import Settings
from server.worker import RDF_FORMATS, RESULT_FORMATS

log = logging.getLogger(__name__)

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
CONNECT_TIMEOUT = 5.0
ERROR_BODY_LIMIT = 4096
CHUNK = 64 * 1024


class RemoteTimeout(Exception):
    """The remote did not answer within the deadline; the connection was closed."""


class RemoteUnavailable(Exception):
    """The remote could not be reached or broke the connection."""


def default_graph_store_url(store_url: str) -> str:
    """The Graph Store Protocol URL next to a query URL: last path segment → ``store``.

    >>> default_graph_store_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    >>> default_graph_store_url("http://fuseki:3030/ds/sparql")
    'http://fuseki:3030/ds/store'
    """
    parts = urlsplit(store_url)
    head = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/store", "", ""))


class RemoteResponse:
    """A streaming HTTP response whose reads share one deadline (a file-like ``read``)."""

    def __init__(self, client: HttpClient, conn: http.client.HTTPConnection, deadline: float) -> None:
        self.client = client
        self.conn = conn
        self.deadline = deadline
        self.response: http.client.HTTPResponse | None = None
        self.finished = False

    @property
    def status(self) -> int:
        """HTTP status code."""
        assert self.response is not None
        return self.response.status

    @property
    def media_type(self) -> str:
        """Content-Type without parameters, lower case."""
        assert self.response is not None
        return (self.response.getheader("Content-Type") or "").split(";")[0].strip().lower()

    def _arm(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise RemoteTimeout("deadline reached")
        if self.conn.sock is not None:
            self.conn.sock.settimeout(remaining)

    def read(self, size: int = -1) -> bytes:
        """Read at most ``size`` bytes before the deadline (raises :class:`RemoteTimeout`)."""
        assert self.response is not None
        self._arm()
        try:
            # read1: at most one recv, so a remote trickling bytes cannot outlive the deadline
            data = self.response.read1(CHUNK if size is None or size < 0 else min(size, CHUNK))
        except TimeoutError as exc:
            raise RemoteTimeout("deadline reached while reading") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise RemoteUnavailable(f"connection broken: {exc}") from exc
        if not data:
            self.finished = True
        return data

    def read_all(self, limit: int | None = None) -> bytes:
        """Read the rest of the body (or ``limit`` bytes of it)."""
        parts, size = [], 0
        while limit is None or size < limit:
            chunk = self.read(CHUNK)
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        """Give the connection back to the pool if the body was read to its end, else close it."""
        response = self.response
        if self.finished and response is not None and not response.will_close:
            self.client.release(self.conn)
        else:
            self.conn.close()


class HttpClient:
    """A keep-alive connection pool to one origin, with per-exchange deadlines."""

    def __init__(self, url: str, size: int = 4) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"store URL must be http(s)://host[:port]/path, not {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.size = size
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _new(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=CONNECT_TIMEOUT)

    def release(self, conn: http.client.HTTPConnection) -> None:
        """Keep an idle connection for reuse (or close it if the pool is full)."""
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(conn)
                return
        conn.close()

    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._new(), False

    def request(
        self,
        method: str,
        url: str,
        timeout: float,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> RemoteResponse:
        """Send a request; return once the status line and headers arrived (body unread)."""
        deadline = time.monotonic() + timeout
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        for attempt in range(2):
            conn, reused = self._take()
            exchange = RemoteResponse(self, conn, deadline)
            try:
                if conn.sock is None:
                    conn.timeout = min(CONNECT_TIMEOUT, max(0.01, deadline - time.monotonic()))
                    conn.connect()
                exchange._arm()
                conn.request(method, target, body=body, headers=headers or {})
                exchange._arm()
                exchange.response = conn.getresponse()
                return exchange
            except RemoteTimeout:
                conn.close()
                raise
            except TimeoutError as exc:
                conn.close()
                raise RemoteTimeout(f"no answer within {timeout:g} s") from exc
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                if reused and attempt == 0:
                    continue  # the remote closed an idle keep-alive connection: retry fresh
                raise RemoteUnavailable(f"{self.host}:{self.port}: {exc}") from exc
        raise RemoteUnavailable("unreachable")  # pragma: no cover - loop always returns/raises

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


_POSITION = re.compile(r"\b(?:error )?at (\d+):(\d+)")


def _unshift_position(detail: str) -> str:
    """Undo the extra ``BASE`` line in a ``line:column`` position of a remote error message.

    >>> _unshift_position("error at 2:13: expected one of …")
    'error at 1:13: expected one of …'
    """

    def fix(match: re.Match[str]) -> str:
        line = max(1, int(match.group(1)) - 1)
        return match.group(0).replace(f"{match.group(1)}:{match.group(2)}", f"{line}:{match.group(2)}")

    return _POSITION.sub(fix, detail, count=1)


def _timeout_error(timeout: float) -> ApiError:
    return ApiError(
        503,
        "Query timeout",
        f"The request ran longer than {timeout:g} s and was stopped. Simplify it or add a LIMIT.",
        {"Retry-After": "1"},
    )


def _unavailable(exc: Exception) -> ApiError:
    return ApiError(502, "Store unavailable", f"The SPARQL store did not answer properly: {exc}")


class RemoteEngine:
    """Answers from a remote SPARQL 1.1 endpoint (see the module docstring)."""

    def __init__(
        self,
        store_url: str,
        *,
        default_graphs: tuple[str, ...],
        named_graphs: tuple[str, ...] | None,
        prefixes: dict[str, str],
        max_rows: int,
        cache_bytes: int,
        graph_store_url: str | None = None,
        dataset_path: Path | None = None,
        pool_size: int = 4,
    ) -> None:
        self.store_url = store_url
        self.gsp_url = graph_store_url or default_graph_store_url(store_url)
        self.client = HttpClient(store_url, pool_size)
        self.gsp_client = (
            self.client
            if urlsplit(self.gsp_url).netloc == urlsplit(store_url).netloc
            else HttpClient(self.gsp_url, pool_size)
        )
        self.default_graphs = default_graphs
        self.named_graphs = named_graphs
        self.prefixes = prefixes
        self.max_rows = max_rows
        self.dataset_path = dataset_path
        self.cache: ByteLRU[Result] = ByteLRU(cache_bytes)
        self._counts: dict[str, int] | None = None

    @property
    def generation(self) -> int:
        """Always 0: the data is not changed through this endpoint."""
        return 0

    # -- queries -------------------------------------------------------------------------------

    def _dataset_params(
        self,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        use_query_dataset: bool,
    ) -> list[tuple[str, str]]:
        if default_graphs is not None or named_graphs is not None:
            return [("default-graph-uri", g) for g in default_graphs or []] + [
                ("named-graph-uri", g) for g in named_graphs or []
            ]
        if use_query_dataset:
            return []
        named = self.named_graphs if self.named_graphs is not None else tuple(self.counts(10.0))
        return [("default-graph-uri", g) for g in self.default_graphs] + [
            ("named-graph-uri", g) for g in named
        ]

    def _post_query(self, query: str, params: list[tuple[str, str]], timeout: float) -> RemoteResponse:
        body = urlencode([("query", query), *params]).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT}
        try:
            exchange = self.client.request("POST", self.store_url, timeout, body, headers)
        except RemoteTimeout as exc:
            raise _timeout_error(timeout) from exc
        except RemoteUnavailable as exc:
            raise _unavailable(exc) from exc
        if exchange.status != 200:
            try:
                detail = exchange.read_all(ERROR_BODY_LIMIT).decode("utf-8", "replace").strip()
            except (RemoteTimeout, RemoteUnavailable):
                detail = ""
            finally:
                exchange.conn.close()
            if exchange.status == 400:
                if query.startswith("BASE <") and query.count("\n"):
                    detail = _unshift_position(detail)
                raise ApiError(400, "Malformed query", detail or "The store rejected the query.")
            raise ApiError(
                502, "Store unavailable", f"The SPARQL store answered {exchange.status}: {detail[:500]}"
            )
        return exchange

    def execute(
        self,
        query: str,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        fmt: FormatChoice,
        timeout: float,
        *,
        use_query_dataset: bool = False,
        base_iri: str | None = None,
        cache_key: str | None = None,
    ) -> Result:
        """Forward a query, cap and re-serialize its answer (or answer it from the cache)."""
        key = result_cache_key(
            self.generation,
            cache_key if cache_key is not None else query,
            default_graphs,
            named_graphs,
            use_query_dataset,
            base_iri,
            fmt,
        )

        def evaluate() -> Result:
            text = f"BASE <{base_iri}>\n{query}" if base_iri else query
            params = self._dataset_params(default_graphs, named_graphs, use_query_dataset)
            exchange = self._post_query(text, params, timeout)
            try:
                result = self._convert(exchange, fmt)
            except RemoteTimeout as exc:
                raise _timeout_error(timeout) from exc
            except RemoteUnavailable as exc:
                raise _unavailable(exc) from exc
            except SyntaxError as exc:
                raise ApiError(502, "Store unavailable", f"The store's answer did not parse: {exc}") from exc
            finally:
                exchange.close()
            return result

        return through_cache(self.cache, key, query, evaluate)

    def _convert(self, exchange: RemoteResponse, fmt: FormatChoice) -> Result:
        media = exchange.media_type
        if media in {"application/sparql-results+json", "application/json"}:
            answer = parse_query_results(exchange, QueryResultsFormat.JSON)
            if fmt.results is None:
                raise ApiError(406, "Not Acceptable", "No acceptable format for query results.")
            key = fmt.results.key
            if isinstance(answer, QueryBoolean):
                body = answer.serialize(format=RESULT_FORMATS[key])
                exchange.read_all()
                return Result(body, fmt.results, "boolean")
            variables = [v.value for v in answer.variables]
            rows = [
                [solution[i] for i in range(len(variables))]
                for solution in itertools.islice(answer, self.max_rows + 1)
            ]
            if len(rows) <= self.max_rows:
                exchange.read_all()  # drain to the end so the connection can be reused
            truncated = len(rows) > self.max_rows
            rows = rows[: self.max_rows]
            return Result(results.write(key, variables, rows), fmt.results, "solutions", truncated, len(rows))
        if media in {"application/n-triples", "text/plain"}:
            if fmt.graph is None:
                raise ApiError(406, "Not Acceptable", "No acceptable format for a graph result.")
            quads = parse(input=exchange, format=RdfFormat.N_TRIPLES)
            triples = [q.triple for q in itertools.islice(quads, self.max_rows + 1)]
            if len(triples) <= self.max_rows:
                exchange.read_all()
            truncated = len(triples) > self.max_rows
            triples = triples[: self.max_rows]
            body = serialize(triples, format=RDF_FORMATS[fmt.graph.key], prefixes=self.prefixes)
            return Result(body, fmt.graph, "graph", truncated, len(triples))
        raise ApiError(502, "Store unavailable", f"The SPARQL store answered with {media or 'no type'}.")

    def update(self, update: str, timeout: float, *, base_iri: str | None = None) -> None:
        """Refused: the remote store is maintained by its own tools."""
        raise ApiError(
            403,
            "Updates disabled",
            "This endpoint answers from a remote SPARQL store; update it with the store's own tools.",
        )

    # -- downloads -----------------------------------------------------------------------------

    def _gsp_get(self, params: str, accept: str, timeout: float) -> bytes:
        url = self.gsp_url + (f"?{params}" if params else "")
        try:
            exchange = self.gsp_client.request("GET", url, timeout, headers={"Accept": accept})
            try:
                if exchange.status == 404:
                    raise ApiError(404, "Unknown graph", "No such graph in this dataset.")
                if exchange.status != 200:
                    detail = exchange.read_all(ERROR_BODY_LIMIT).decode("utf-8", "replace")
                    raise ApiError(
                        502,
                        "Store unavailable",
                        f"The graph store answered {exchange.status}: {detail[:300]}",
                    )
                return exchange.read_all()
            finally:
                exchange.close()
        except RemoteTimeout as exc:
            raise _timeout_error(timeout) from exc
        except RemoteUnavailable as exc:
            raise _unavailable(exc) from exc

    def _remote_quads(self, graph: str, timeout: float) -> list[Quad]:
        if graph == "ALL":
            body = self._gsp_get("", "application/n-quads", timeout)
            return [
                q for q in parse(body, format=RdfFormat.N_QUADS) if not isinstance(q.graph_name, DefaultGraph)
            ]
        names = self.default_graphs if graph == "DEFAULT" else (graph,)
        quads: list[Quad] = []
        for name in names:
            body = self._gsp_get(urlencode({"graph": name}), "application/n-triples", timeout)
            node = NamedNode(name)
            quads += [
                Quad(q.subject, q.predicate, q.object, node) for q in parse(body, format=RdfFormat.N_TRIPLES)
            ]
        return quads

    def dump(self, graph: str, fmt: Format, timeout: float) -> bytes:
        """Serialize ``ALL``, ``DEFAULT`` or one named graph (local artefact if present, else remote)."""
        key = ("dump", self.generation, graph, fmt.key)
        hit = self.cache.get(key)
        if hit is not None:
            return hit.body
        if self.dataset_path is not None and self.dataset_path.is_file():
            quads = list(parse(path=str(self.dataset_path), format=RdfFormat.N_QUADS))
            body = dump_quads(quads, graph, fmt, self.default_graphs, self.prefixes)
        else:
            body = dump_quads(
                self._remote_quads(graph, timeout), graph, fmt, self.default_graphs, self.prefixes
            )
        self.cache.put(key, Result(body, fmt, "dump"), len(body))
        return body

    # -- statistics ----------------------------------------------------------------------------

    def _select(self, query: str, timeout: float) -> list[dict[str, Any]]:
        exchange = self._post_query(query, [], timeout)
        try:
            doc = json.loads(exchange.read_all())
        except (RemoteTimeout, RemoteUnavailable) as exc:
            raise _unavailable(exc) from exc
        except ValueError as exc:
            raise ApiError(502, "Store unavailable", f"Not SPARQL JSON results: {exc}") from exc
        finally:
            exchange.close()
        return doc.get("results", {}).get("bindings", [])

    def counts(self, timeout: float) -> dict[str, int]:
        """Triples per named graph of the remote (asked once, then remembered)."""
        if self._counts is None:
            rows = self._select(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", timeout
            )
            self._counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
        return self._counts

    def stats(self, timeout: float) -> dict[str, Any]:
        """Triple counts (cached) after a liveness check of the remote (``ASK {}``)."""
        if self._counts is not None:
            self._select("ASK {}", timeout)
        counts = self.counts(timeout)
        return {"triples": sum(counts.values()), "graphs": dict(counts)}

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()
        if self.gsp_client is not self.client:
            self.gsp_client.close()


def dump_quads(
    quads: Iterable[Quad],
    graph: str,
    fmt: Format,
    default_graphs: tuple[str, ...],
    prefixes: dict[str, str],
) -> bytes:
    """Serialize ``ALL`` quads, the union of ``default_graphs`` (``DEFAULT``) or one graph."""
    quads = list(quads)
    if graph == "ALL":
        return serialize(sorted(quads, key=str), format=RDF_FORMATS[fmt.key], prefixes=prefixes)
    names = {NamedNode(g) for g in default_graphs} if graph == "DEFAULT" else {NamedNode(graph)}
    if graph != "DEFAULT" and not any(q.graph_name in names for q in quads):
        raise ApiError(404, "Unknown graph", f"No graph <{graph}> in this dataset.")
    seen: set[Triple] = set()
    triples = []
    for quad in quads:
        if quad.graph_name in names and quad.triple not in seen:
            seen.add(quad.triple)
            triples.append(quad.triple)
    return serialize(triples, format=RDF_FORMATS[fmt.key], prefixes=prefixes)


def _base_of(graphs: Iterable[str]) -> str | None:
    for iri in graphs:
        if iri.endswith("graph/asserted"):
            return iri[: -len("graph/asserted")]
    return None


def open_remote(
    settings: Settings, prefixes_for: Callable[[str], dict[str, str]]
) -> tuple[Artefacts, RemoteEngine]:
    """Artefacts and engine for ``settings.store_url``.

    The build directory's ``manifest.json`` (and ``void.ttl``) describe the dataset when present;
    otherwise a manifest is made from the remote's graphs (the base is read off the
    ``…graph/asserted`` graph IRI, else ``DPRK_KG_BASE``/the default base).
    """
    assert settings.store_url
    build_dir = Path(settings.build_dir)
    probe = RemoteEngine(
        settings.store_url,
        default_graphs=(),
        named_graphs=(),
        prefixes={},
        max_rows=settings.max_result_rows,
        cache_bytes=0,
        graph_store_url=settings.store_graph_store_url,
    )
    if (build_dir / MANIFEST).is_file():
        raw = (build_dir / MANIFEST).read_bytes()
        artefacts = Artefacts(build_dir, json.loads(raw), hashlib.sha256(raw).hexdigest())
        named: tuple[str, ...] | None = tuple(artefacts.graph_counts)
    else:
        try:
            counts = probe.counts(min(settings.query_timeout, 30.0))
        except ApiError as exc:
            raise RuntimeError(
                f"cannot describe the remote store {settings.store_url}: {exc.detail}"
            ) from exc
        finally:
            probe.close()
        base = _base_of(counts) or _default_base()
        manifest = {"base": base, "graphs": counts, "source": settings.store_url}
        raw = json.dumps(manifest, sort_keys=True).encode()
        artefacts = Artefacts(build_dir, manifest, hashlib.sha256(raw).hexdigest())
        named = None  # asked again (and remembered) by the engine
    dataset = build_dir / DATASET
    engine = RemoteEngine(
        settings.store_url,
        default_graphs=artefacts.default_graphs,
        named_graphs=named,
        prefixes=prefixes_for(artefacts.base),
        max_rows=settings.max_result_rows,
        cache_bytes=settings.cache_bytes,
        graph_store_url=settings.store_graph_store_url,
        dataset_path=dataset if dataset.is_file() else None,
        pool_size=max(2, settings.executors_per_worker),
    )
    log.info(
        "answering from the SPARQL store %s (downloads from %s)",
        settings.store_url,
        dataset if dataset.is_file() else engine.gsp_url,
    )
    return artefacts, engine


def _default_base() -> str:
    try:
        from graph.config import Settings as GraphSettings

        return GraphSettings.from_env().base
    except Exception:  # the graph package is optional for serving
        return "https://dprk-kg.example.org/"
