"""Bounded loopback load test on a build: our endpoint (Granian) against ``oxigraph serve``.

Starts both servers on free loopback ports over the same build (oxigraph gets the asserted +
inferred quads as its union default graph, which is our default graph), then runs a lookup (the
asserted subject with the most triples) and a GROUP BY aggregate in two modes: ``cached`` (one
query text repeated, so our result cache answers) and ``unique`` (a distinct text per request,
``BIND(n AS ?nonce)``, so every request is parsed and evaluated). Each cell is a fixed-time run
of ``--seconds`` with ``--clients`` connections through ``wrk`` when it is installed, else the
Python driver (see ``harness.measure``). Prints a markdown table (req/s, p50, p99, errors) and the
our/oxigraph ratios. For the full query mix, rdflib-endpoint and the targets: ``bench/run.py
--build-dir build``.

    .venv/bin/python bench/load_endpoint.py --build-dir build --clients 4 --seconds 5

Not a test: no thresholds. Needs the `oxigraph` binary (PyPI `oxigraph`, in the test extra).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts
import harness  # noqa: E402
from harness import fmt, ratio  # noqa: E402

ROOT = harness.ROOT


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
    parser.add_argument("--seconds", "--max-seconds", type=float, default=5.0, help="duration per cell")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--requests", type=int, help="cap on requests per cell (Python driver only)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Granian workers of ours")
    parser.add_argument("--modes", default=",".join(harness.MODES), help="comma-separated subset")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]

    manifest = json.loads((args.build_dir / "manifest.json").read_text(encoding="utf-8"))
    subject = pick_subject(args.build_dir)
    queries = {
        "lookup": (harness.JSON, f"SELECT ?p ?o WHERE {{ {subject} ?p ?o }}"),
        "GROUP BY": (
            harness.JSON,
            "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)",
        ),
    }
    with tempfile.TemporaryDirectory(prefix="load-endpoint-") as tmp:
        work = Path(tmp)
        quads = harness.data_quads(args.build_dir, work / "data.nq")
        servers: list[harness.Server] = []
        try:
            servers.append(harness.start_ours(args.build_dir, workers=args.workers, log=work / "ours.log"))
            servers.append(harness.start_oxigraph(quads, work / "oxigraph-db", log=work / "oxigraph.log"))
            cells = harness.measure(
                servers,
                queries,
                modes,
                seconds=args.seconds,
                clients=args.clients,
                driver=args.driver,
                max_requests=args.requests,
            )
        finally:
            for server in servers:
                server.stop()

    triples = sum(n for g, n in manifest["graphs"].items() if not g.endswith("/graph/ontology"))
    print(
        f"\n{triples} triples (asserted + inferred), {args.seconds:g} s per cell, {args.clients} clients, "
        f"{args.workers} workers, loopback, {os.cpu_count()} CPUs, wrk {harness.wrk_version() or '-'}\n"
    )
    print("| server | query | mode | driver | req/s | p50 ms | p99 ms | errors | result size |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|")
    for c in cells:
        errors = c.error or str(c.non_2xx + c.socket_errors)
        print(
            f"| {c.server} | {c.query} | {c.mode} | {c.driver or '-'} | {fmt(c.rps, 0)} | "
            f"{fmt(c.p50_ms)} | {fmt(c.p99_ms)} | {errors} | {c.result_size} |"
        )
    print("\n| query | mode | ours / oxigraph req/s |")
    print("|---|---|---:|")
    rps = {(c.server, c.query, c.mode): c.rps for c in cells}
    for name in queries:
        for mode in modes:
            r = ratio(rps.get(("ours", name, mode)), rps.get(("oxigraph", name, mode)))
            print(f"| {name} | {mode} | {fmt(r, 2)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
