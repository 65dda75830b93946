"""The query engine behind the endpoint, as a small interface.

:class:`Engine` is what the HTTP layer needs; :class:`LocalEngine` implements it with
pyoxigraph in executor child processes (``server/executor.py``) plus a result cache;
:class:`server.remote.RemoteEngine` forwards to a remote SPARQL store (``serve --store URL``).

Caching is valid because the dataset is immutable between builds; updates (when enabled) bump
a generation number that is part of every cache key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from server.cache import ByteLRU
from server.errors import ApiError
from server.executor import ExecutorBusy, ExecutorFailed, ExecutorPool, ExecutorTimeout
from server.formats import BY_KEY, Format
from server.worker import StoreSpec


@dataclass(frozen=True)
class FormatChoice:
    """Negotiated output formats: one for SELECT/ASK, one for CONSTRUCT/DESCRIBE (None = 406)."""

    results: Format | None
    graph: Format | None


@dataclass(frozen=True)
class Result:
    """A serialized answer."""

    body: bytes
    format: Format
    kind: str
    """``boolean``, ``solutions`` or ``graph``."""
    truncated: bool = False
    rows: int | None = None
    cached: bool = False


def result_cache_key(
    generation: int,
    text: str,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    use_query_dataset: bool,
    base_iri: str | None,
    fmt: FormatChoice,
) -> tuple[Any, ...]:
    """The result-cache key of a query: everything that can change its serialized answer."""
    return (
        generation,
        text,
        tuple(default_graphs) if default_graphs is not None else None,
        tuple(named_graphs) if named_graphs is not None else None,
        use_query_dataset,
        base_iri,
        fmt.results.key if fmt.results else None,
        fmt.graph.key if fmt.graph else None,
    )


def through_cache(
    cache: ByteLRU[Result], key: tuple[Any, ...], query: str, evaluate: Callable[[], Result]
) -> Result:
    """The cached answer for ``key``, or ``evaluate()`` stored under it (both engines use this)."""
    hit = cache.get(key)
    if hit is not None:
        return Result(hit.body, hit.format, hit.kind, hit.truncated, hit.rows, cached=True)
    result = evaluate()
    cache.put(key, result, len(result.body) + len(query))
    return result


class Engine(Protocol):
    """What the HTTP layer asks of a SPARQL engine."""

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
        """Evaluate ``query`` over the given dataset; raise ApiError on failure."""
        ...

    def update(self, update: str, timeout: float, *, base_iri: str | None = None) -> None:
        """Apply an update; raise ApiError on failure."""
        ...

    def dump(self, graph: str, fmt: Format, timeout: float) -> bytes:
        """Serialize ``ALL``, ``DEFAULT`` or one named graph IRI."""
        ...

    def stats(self, timeout: float) -> dict[str, Any]:
        """Triple counts: ``{"triples": n, "graphs": {iri: n}}``."""
        ...

    @property
    def generation(self) -> int:
        """Changes whenever the data changes."""
        ...

    def close(self) -> None:
        """Release processes and memory."""
        ...


class LocalEngine:
    """pyoxigraph in executor processes, with a memory-bounded result cache."""

    def __init__(self, spec: StoreSpec, *, max_rows: int, cache_bytes: int, pool_size: int) -> None:
        self.pool = ExecutorPool(spec, pool_size)
        self.max_rows = max_rows
        self.cache: ByteLRU[Result] = ByteLRU(cache_bytes)
        self._stats: tuple[int, dict[str, Any]] | None = None

    @property
    def generation(self) -> int:
        """Number of updates applied so far."""
        return self.pool.generation

    def _call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        try:
            reply = self.pool.call(request, timeout)
        except ExecutorTimeout as exc:
            raise ApiError(
                503,
                "Query timeout",
                f"The request ran longer than {timeout:g} s and was stopped. Simplify it or add a LIMIT.",
                {"Retry-After": "1"},
            ) from exc
        except ExecutorBusy as exc:
            raise ApiError(503, "Busy", "Every query executor is busy; retry.", {"Retry-After": "1"}) from exc
        except ExecutorFailed as exc:
            raise ApiError(500, "Executor failure", str(exc)) from exc
        if not reply.get("ok"):
            raise ApiError(reply["status"], reply["title"], reply["detail"])
        return reply

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
        """Evaluate a query in an executor (or answer it from the cache)."""
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
            reply = self._call(
                {
                    "op": "query",
                    "query": query,
                    "base_iri": base_iri,
                    "default_graphs": default_graphs,
                    "named_graphs": named_graphs,
                    "use_query_dataset": use_query_dataset,
                    "results_fmt": fmt.results.key if fmt.results else None,
                    "graph_fmt": fmt.graph.key if fmt.graph else None,
                    "max_rows": self.max_rows,
                },
                timeout,
            )
            return Result(
                reply["body"],
                BY_KEY[reply["fmt"]],
                reply["kind"],
                reply.get("truncated", False),
                reply.get("rows"),
            )

        return through_cache(self.cache, key, query, evaluate)

    def update(self, update: str, timeout: float, *, base_iri: str | None = None) -> None:
        """Apply an update in the executors (kept in memory only)."""
        self._call({"op": "update", "update": update, "base_iri": base_iri}, timeout)
        self.cache.clear()

    def dump(self, graph: str, fmt: Format, timeout: float) -> bytes:
        """Serialize the dataset, its default graph or one named graph."""
        key = ("dump", self.generation, graph, fmt.key)
        hit = self.cache.get(key)
        if hit is not None:
            return hit.body
        reply = self._call({"op": "dump", "graph": graph, "fmt": fmt.key}, timeout)
        self.cache.put(key, Result(reply["body"], fmt, "dump"), len(reply["body"]))
        return reply["body"]

    def stats(self, timeout: float) -> dict[str, Any]:
        """Triple counts, computed once per generation."""
        if self._stats is None or self._stats[0] != self.generation:
            reply = self._call({"op": "stats"}, timeout)
            self._stats = (
                self.generation,
                {"triples": reply["triples"], "graphs": reply["graphs"]},
            )
        return self._stats[1]

    def close(self) -> None:
        """Stop the executors."""
        self.pool.close()
