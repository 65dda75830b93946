"""Hostile load on loopback: 32 clients for 60 s mixing cheap lookups and expensive queries.

Starts ``dprk-kg serve --no-build`` (Granian; ``harness.start_ours``) on a free loopback port
with a small query timeout (2 s), then runs client threads for a fixed time: most send cheap lookups (one
subject's triples, subjects drawn from the dataset, so some hit the result cache and some do
not); a few send expensive queries (a three-way cross product, and a self-join GROUP BY with a
distinct LIMIT each time so the cache never answers). It checks that

* cheap queries never fail (any status other than 200, or a transport error, is an error);
* expensive queries answer 200 or a clean 503 JSON error (timeout/busy), nothing else;

and reports requests, errors, cheap-query p50/p99 and the resident memory (VmRSS, from /proc)
of the server process + Granian workers + query executors after warm-up and at the end.

    .venv/bin/python bench/load_hostile.py --build-dir build            # 32 clients, 60 s
    .venv/bin/python bench/load_hostile.py --seconds 20 --clients 16 --json

Without ``--build-dir`` the dataset is built into a temporary folder first (~15 s).
Loopback only; bounded by ``--seconds`` (plus the last answers, at most the timeout).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts
import harness  # noqa: E402

ROOT = harness.ROOT
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
GROUP = (
    "SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . ?s2 ?p2 ?o . ?s3 ?p3 ?o }} "
    "GROUP BY ?o ORDER BY DESC(?n) LIMIT {limit}"
)


def tree_rss(root: int) -> int:
    """Sum of VmRSS (bytes) of ``root`` and all its descendants, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    tree, todo = [root], [root]
    while todo:
        parent = todo.pop()
        for pid, ppid in parents.items():
            if ppid == parent:
                tree.append(pid)
                todo.append(pid)
    total = 0
    for pid in tree:
        try:
            match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
        except OSError:
            continue
        if match:
            total += int(match.group(1)) * 1024
    return total


def start(build_dir: Path, workers: int, timeout: float) -> harness.Server:
    """``dprk-kg serve --no-build`` with ``workers`` Granian workers and a ``timeout`` s query timeout."""
    return harness.start_ours(
        build_dir, workers=workers, env={"DPRK_KG_QUERY_TIMEOUT": str(timeout)}, timeout=60
    )


def sparql(port: int, query: str) -> tuple[int, bytes]:
    """POST a query as a form on a fresh connection: ``(status, body)``."""
    return harness.ask(port, "/sparql", query)


@dataclass
class Report:
    """What a run measured."""

    seconds: float
    clients: int
    expensive_clients: int
    workers: int
    timeout: float
    requests: int = 0
    cheap: int = 0
    cheap_errors: int = 0
    expensive: int = 0
    expensive_ok: int = 0
    expensive_503: int = 0
    expensive_bad: int = 0
    cheap_p50_ms: float = 0.0
    cheap_p99_ms: float = 0.0
    cheap_max_ms: float = 0.0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    errors: list[str] = field(default_factory=list)

    def memory_flat(self) -> bool:
        """End RSS below start × 1.5 + 50 MB."""
        return self.rss_end_mb < self.rss_start_mb * 1.5 + 50

    def text(self) -> str:
        """A short human-readable summary."""
        return (
            f"{self.requests} requests in {self.seconds:.0f} s from {self.clients} clients "
            f"({self.expensive_clients} expensive), {self.workers} Granian workers, "
            f"timeout {self.timeout:g} s\n"
            f"cheap: {self.cheap} requests, {self.cheap_errors} errors, p50 {self.cheap_p50_ms:.0f} ms, "
            f"p99 {self.cheap_p99_ms:.0f} ms, max {self.cheap_max_ms:.0f} ms\n"
            f"expensive: {self.expensive} requests: {self.expensive_ok} answered, "
            f"{self.expensive_503} clean 503, "
            f"{self.expensive_bad} bad\n"
            f"memory (RSS of master + workers + executors): {self.rss_start_mb:.0f} MB -> "
            f"{self.rss_end_mb:.0f} MB "
            f"({'flat' if self.memory_flat() else 'GREW'})"
        )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    build_dir: Path,
    *,
    seconds: float = 60,
    clients: int = 32,
    expensive_clients: int = 4,
    workers: int = 4,
    timeout: float = 2.0,
) -> Report:
    """Start a server, load it for ``seconds``, stop it and return the report."""
    report = Report(seconds, clients, expensive_clients, workers, timeout)
    server = start(build_dir, workers, timeout)
    try:
        status, body = sparql(
            server.port, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } LIMIT 400"
        )
        subjects = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
        assert status == 200 and subjects, "could not list subjects"
        for _ in range(2 * workers):  # warm-up: start every worker's executors
            sparql(server.port, f"SELECT ?p ?o WHERE {{ <{subjects[0]}> ?p ?o }}")
        report.rss_start_mb = tree_rss(server.proc.pid) / 1e6
        lock = threading.Lock()
        latencies: list[float] = []
        stop_at = time.monotonic() + seconds

        def cheap_client(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < stop_at:
                query = f"SELECT ?p ?o WHERE {{ <{rng.choice(subjects)}> ?p ?o }} LIMIT 100"
                start = time.monotonic()
                try:
                    status, body = sparql(server.port, query)
                    problem = (
                        None if status == 200 and b'"bindings"' in body else f"cheap {status}: {body[:120]!r}"
                    )
                except OSError as exc:
                    problem = f"cheap transport error: {exc}"
                elapsed = time.monotonic() - start
                with lock:
                    report.requests += 1
                    report.cheap += 1
                    latencies.append(elapsed)
                    if problem:
                        report.cheap_errors += 1
                        report.errors.append(problem)

        def expensive_client(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < stop_at:
                query = CROSS if rng.random() < 0.5 else GROUP.format(limit=rng.randint(1, 10**9))
                try:
                    status, body = sparql(server.port, query)
                    title = json.loads(body).get("error", {}).get("title") if status == 503 else None
                except (OSError, ValueError) as exc:
                    status, title, body = -1, None, str(exc).encode()
                with lock:
                    report.requests += 1
                    report.expensive += 1
                    if status == 200:
                        report.expensive_ok += 1
                    elif status == 503 and title in {"Query timeout", "Busy"}:
                        report.expensive_503 += 1
                    else:
                        report.expensive_bad += 1
                        report.errors.append(f"expensive {status}: {body[:120]!r}")

        threads = [
            threading.Thread(target=expensive_client if i < expensive_clients else cheap_client, args=(i,))
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + timeout + 60)
        time.sleep(1.0)  # let killed executors be replaced
        report.rss_end_mb = tree_rss(server.proc.pid) / 1e6
        report.cheap_p50_ms = _percentile(latencies, 0.50) * 1000
        report.cheap_p99_ms = _percentile(latencies, 0.99) * 1000
        report.cheap_max_ms = max(latencies, default=0.0) * 1000
        report.errors = report.errors[:20]
    finally:
        server.stop()
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line; exit 1 when a check fails."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build-dir", type=Path, help="artefacts to serve (default: build into a temp dir)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--expensive-clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="Granian workers")
    parser.add_argument("--timeout", type=float, default=2.0, help="query timeout of the server (s)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="load-hostile-") as tmp:
        build_dir = args.build_dir
        if build_dir is None:
            build_dir = Path(tmp) / "build"
            subprocess.run(
                [sys.executable, "-m", "graph.cli", "build", "--out", str(build_dir)], cwd=ROOT, check=True
            )
        report = run(
            build_dir,
            seconds=args.seconds,
            clients=args.clients,
            expensive_clients=args.expensive_clients,
            workers=args.workers,
            timeout=args.timeout,
        )
    print(json.dumps(asdict(report), indent=2) if args.json else report.text())
    ok = report.cheap_errors == 0 and report.expensive_bad == 0 and report.memory_flat()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
