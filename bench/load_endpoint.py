"""Bounded loopback load test: our endpoint (gunicorn) against `oxigraph serve-read-only`.

Starts both servers on free loopback ports from the same ``dataset.nq``, then for each query
(a lookup and a GROUP BY aggregate, each repeated — so our result cache answers — and unique —
a distinct LIMIT per request, so every request is evaluated) runs a fixed number of requests
from N concurrent client threads, stopping early at ``--max-seconds``. Both servers receive the
same requests, with ``default-graph-uri`` set to the asserted and inferred graphs so the dataset
is identical. Prints a markdown table (req/s, p50, p99, errors) and our/oxigraph ratios.

    .venv/bin/python bench/load_endpoint.py --build-dir build --requests 1000 --clients 4

Not a test: no thresholds. Needs the `oxigraph` binary (PyPI `oxigraph`, in the test extra).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port: int, path: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Poll until ``GET path`` answers 200 or the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


@contextmanager
def our_server(build_dir: Path, workers: int) -> Iterator[int]:
    """`dprk-kg serve` (gunicorn) on a free port."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--no-build",
            "--build-dir",
            str(build_dir),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(port, "/health", process)
        yield port
    finally:
        process.terminate()
        process.wait(20)


def oxigraph_binary() -> str:
    """Path of the `oxigraph` CLI (next to this interpreter, else on PATH)."""
    local = Path(sys.executable).parent / "oxigraph"
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        raise SystemExit("the `oxigraph` binary is missing: pip install oxigraph")
    return found


@contextmanager
def oxigraph_server(build_dir: Path) -> Iterator[int]:
    """`oxigraph serve-read-only` over a store loaded from dataset.nq, on a free port."""
    binary = oxigraph_binary()
    with tempfile.TemporaryDirectory(prefix="oxigraph-bench-") as location:
        subprocess.run(
            [binary, "load", "--location", location, "--file", str(build_dir / "dataset.nq")],
            check=True,
            capture_output=True,
        )
        port = free_port()
        process = subprocess.Popen(
            [binary, "serve-read-only", "--location", location, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_http(port, "/query?query=ASK%7B%7D", process)
            yield port
        finally:
            process.terminate()
            process.wait(20)


@dataclass
class Outcome:
    """Measurements of one scenario."""

    done: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def run_load(
    port: int,
    path: str,
    make_query: Callable[[int], str],
    dataset: list[tuple[str, str]],
    requests: int,
    clients: int,
    max_seconds: float,
) -> Outcome:
    """Send ``requests`` GETs from ``clients`` threads (stop at ``max_seconds``)."""
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            params = urllib.parse.urlencode([("query", make_query(i)), *dataset])
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", f"{path}?{params}", headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                body = response.read()
                conn.close()
                ok = response.status == 200 and b"head" in body
            except OSError:
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Outcome(len(latencies), errors, time.monotonic() - start, latencies)


def pick_subject(build_dir: Path) -> str:
    """A subject of the asserted graph with the most triples (a realistic lookup target)."""
    counts: dict[str, int] = {}
    with open(build_dir / "dataset.nq", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("<") and "/graph/asserted>" in line:
                subject = line.split(" ", 1)[0]
                counts[subject] = counts.get(subject, 0) + 1
    if not counts:
        raise SystemExit("no asserted triples in dataset.nq")
    return max(counts, key=counts.__getitem__)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--requests", type=int, default=1000, help="requests per scenario")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="cap per scenario")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers of our server"
    )
    args = parser.parse_args(argv)

    manifest = json.loads((args.build_dir / "manifest.json").read_text(encoding="utf-8"))
    base = manifest["base"]
    dataset = [("default-graph-uri", f"{base}graph/asserted"), ("default-graph-uri", f"{base}graph/inferred")]
    subject = pick_subject(args.build_dir)
    lookup = f"SELECT ?p ?o WHERE {{ {subject} ?p ?o }}"
    aggregate = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)"
    scenarios: list[tuple[str, Callable[[int], str]]] = [
        ("lookup, repeated", lambda i: lookup),
        ("lookup, unique", lambda i: f"{lookup} LIMIT {100000 + i}"),
        ("GROUP BY, repeated", lambda i: aggregate),
        ("GROUP BY, unique", lambda i: f"{aggregate} LIMIT {100000 + i}"),
    ]
    results: dict[tuple[str, str], Outcome] = {}
    servers = [
        ("dprk-kg (gunicorn)", lambda: our_server(args.build_dir, args.workers), "/sparql"),
        ("oxigraph serve-read-only", lambda: oxigraph_server(args.build_dir), "/query"),
    ]
    for name, start, path in servers:
        with start() as port:
            for label, make_query in scenarios:
                run_load(port, path, make_query, dataset, min(20, args.requests), 1, 5)  # warm up
                results[(name, label)] = run_load(
                    port, path, make_query, dataset, args.requests, args.clients, args.max_seconds
                )

    triples = sum(manifest["graphs"].values())
    print(
        f"\n{triples} triples, {args.requests} requests/scenario, {args.clients} clients, "
        f"{args.workers} workers, loopback, {os.cpu_count()} CPUs\n"
    )
    print("| server | query | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|")
    for (name, label), o in results.items():
        print(
            f"| {name} | {label} | {o.rate:.0f} | {o.percentile(50):.1f} | "
            f"{o.percentile(99):.1f} | {o.errors} |"
        )
    print("\n| query | dprk-kg / oxigraph req/s |")
    print("|---|---:|")
    for label, _ in scenarios:
        ours, theirs = results[(servers[0][0], label)], results[(servers[1][0], label)]
        ratio = ours.rate / theirs.rate if theirs.rate else float("nan")
        print(f"| {label} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
