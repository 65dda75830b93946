"""Benchmark: build phases, reasoning (owlrl vs fast) and SPARQL serving, per corpus size.

    .venv/bin/python bench/run.py                        # 10k and 100k triples
    .venv/bin/python bench/run.py --sizes 10k,100k,1M    # add the 1M corpus (long)
    .venv/bin/python bench/run.py --build-dir build      # serving only, on an existing build
    .venv/bin/python bench/run.py --sizes 10k --no-owlrl --queries lookup,join --modes unique --seconds 2

For each size: ``bench/generate.py`` writes a synthetic seeds folder; the real build
(``graph.build.build``, fast reasoner) runs in a child process that reports its phase times
(load, assemble, reason, validate, write) and its peak RSS; owlrl's closure alone is timed
likewise (up to ``--owlrl-max`` triples; it needs minutes from 100k on). ``--build-dir`` skips all
that and serves a build that exists. The dataset is then served by (a) our endpoint,
``dprk-kg serve --build-dir OUT --no-build``, (b) ``oxigraph serve`` over the same quads
(``oxigraph load`` first) and (c) rdflib-endpoint (pinned in pyproject's ``bench`` extra) over
the same quads; (b) and (c) get the asserted + inferred graphs as their union default graph,
which is what our endpoint's default graph is.

The query mix (lookup, join, regex filter, aggregate, property path, DESCRIBE, CONSTRUCT) goes
to each server in two modes: ``cached`` repeats one query text (a result cache answers it) and
``unique`` makes every request's text distinct (``BIND(n AS ?nonce)`` after the first
``WHERE {``, same answer), so every request is parsed and evaluated. Each (query, mode, server)
cell is a fixed-time run (``--seconds``, ``--clients`` keep-alive connections, loopback) of
``wrk -t1`` when it is installed (a Lua script cycles through the bodies and reports JSON), or of
the Python threaded driver (``harness.hammer``) otherwise — and also for cells whose single
request takes 50 ms or more (wrk drops the requests in flight at the end; at that rate the
Python driver costs nothing). Start-up is the time from launching the server on built
artefacts to its first answered query.

Prints markdown tables (req/s, median and p99 ms, ratios ours÷oxigraph and ours÷rdflib-endpoint,
the targets, versions) and writes them with the raw numbers to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts
import harness  # noqa: E402
from harness import fmt, ratio  # noqa: E402

ROOT = harness.ROOT
RESULTS = ROOT / "bench" / "results"
BASE = "https://dprk-kg.example.org/"
PREFIXES = (
    "PREFIX dkg: <https://dprk-kg.example.org/ontology#> "
    "PREFIX schema: <https://schema.org/> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)
CLAIM = f"<{BASE}claim/000_24d540ed9a0fd9f0/containers-15000>"
JSON, NT = harness.JSON, harness.NTRIPLES
QUERIES: dict[str, tuple[str, str]] = {  # name -> (Accept, query)
    "lookup": (JSON, f"SELECT ?p ?o WHERE {{ {CLAIM} ?p ?o }}"),
    "join": (
        JSON,
        PREFIXES + "SELECT ?claim ?who ?source ?v WHERE { ?claim dkg:claimant ?who ; dkg:statedIn ?source ;"
        " dkg:value ?val . ?val schema:value ?v . ?who a dkg:State } ORDER BY ?claim LIMIT 100",
    ),
    "regex": (
        JSON,
        PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label "
        'FILTER regex(?label, "^operation amber 1", "i") } ORDER BY ?s LIMIT 50',
    ),
    "aggregate": (
        JSON,
        "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type",
    ),
    "path": (
        JSON,
        PREFIXES + f"SELECT ?e ?place WHERE {{ ?e dkg:partOf+ <{BASE}event/russia-north-korea-military-"
        "cooperation> . ?e dkg:location/dkg:locatedIn* ?place } ORDER BY ?e ?place LIMIT 200",
    ),
    "describe": (NT, f"DESCRIBE {CLAIM}"),
    "construct": (NT, PREFIXES + "CONSTRUCT { ?a dkg:supplied ?b } WHERE { ?a dkg:supplied ?b }"),
}
# The targets, on req/s: ours ≥ factor × that server's, per query class.
TARGETS: dict[str, list[tuple[str, float]]] = {
    name: [("rdflib-endpoint", 5.0)]
    + ([("oxigraph", 0.5)] if name in ("aggregate", "join") else [])
    + ([("oxigraph", 0.15)] if name == "lookup" else [])
    for name in QUERIES
}


def child(argv: list[str]) -> dict[str, Any]:
    """Run ``bench/run.py --child …`` in a fresh process; its JSON answer."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *argv], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {argv} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(kind: str, seeds: str, out: str, reasoner: str) -> None:
    """In the child: build (or only reason) and print timings and peak RSS as JSON."""
    sys.path.insert(0, str(ROOT))
    from graph.config import Settings

    settings = Settings.from_env(seeds_dir=seeds, out_dir=out, base=BASE, reasoner=reasoner)
    answer: dict[str, Any] = {}
    if kind == "build":
        from graph.build import build

        t0 = time.perf_counter()
        result = build(settings)
        answer = {
            "total_s": time.perf_counter() - t0,
            "timings": result.timings,
            "counts": result.counts,
            "reasoner": result.reasoner,
        }
    else:
        from graph.annotations import load_seeds
        from graph.assemble import Assembler
        from graph.iris import Minter
        from graph.ontology import load_ontology
        from graph.reason import reason

        ontology = load_ontology(settings.ontology_dir)
        asserted = Assembler(load_seeds(settings.seeds_dir), ontology, Minter(BASE)).run().graph
        t0 = time.perf_counter()
        reasoned = reason(ontology, asserted, BASE, reasoner)
        answer = {
            "reason_s": time.perf_counter() - t0,
            "inferred": len(reasoned.inferred),
            "input": len(ontology) + len(asserted),
        }
    answer["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(answer))


def versions() -> dict[str, str]:
    """Versions of everything measured."""
    found = {"python": sys.version.split()[0]}
    for dist in (
        "rdflib",
        "owlrl",
        "pyshacl",
        "pyoxigraph",
        "oxigraph",
        "rdflib-endpoint",
        "flask",
        "granian",
        "uvicorn",
    ):
        try:
            found[dist] = version(dist)
        except Exception:  # noqa: BLE001 - not installed
            found[dist] = "-"
    found["wrk"] = harness.wrk_version() or "- (not installed: Python driver)"
    found["cpus"] = str(os.cpu_count())
    return found


def target_check(query: str, by_server: dict[str, dict[str, Any]]) -> tuple[str, bool | None]:
    """The target column of a row and whether every target is met (None: not measurable)."""
    ours = by_server.get("ours", {}).get("rps")
    parts, verdicts = [], []
    for other, factor in TARGETS.get(query, []):
        if other not in by_server or "ours" not in by_server:
            continue
        r = ratio(ours, by_server[other].get("rps"))
        met = None if r is None else r >= factor
        verdicts.append(met)
        parts.append(f"≥{factor:g}× {other} {'✓' if met else '?' if met is None else '✗'}")
    if not parts:
        return "-", None
    overall = None if None in verdicts else all(verdicts)
    word = "n/a" if overall is None else "pass" if overall else "FAIL"
    return f"{word} ({', '.join(parts)})", overall


def serving_table(serve: dict[str, Any]) -> list[str]:
    """The markdown table of one serving run (rows: query × mode)."""
    names = list(serve["servers"])
    others = [n for n in names if n != "ours"] if "ours" in names else []
    rows: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for cell in serve["cells"]:
        rows.setdefault((cell["query"], cell["mode"]), {})[cell["server"]] = cell
    head = ["query", "mode", *(f"{n} req/s" for n in names), *(f"{n} p50 / p99 ms" for n in names)]
    head += [f"ours÷{n}" for n in others] + ["result size", "target"]
    lines = [
        "| " + " | ".join(head) + " |",
        "|---|---|" + "---:|" * (2 * len(names) + len(others)) + "---|---|",
    ]
    tally: dict[str, list[bool]] = {}
    for (query, mode), by_server in rows.items():
        rps, lat = [], []
        for n in names:
            c = by_server.get(n)
            if c is None:
                rps.append("-")
                lat.append("-")
                continue
            if c.get("error"):
                rps.append("error")
                lat.append("-")
                continue
            failed = c["non_2xx"] + c["socket_errors"]
            rps.append(
                fmt(c["rps"])
                + ("†" if c["driver"] == "python" else "")
                + (f" ({failed} err)" if failed else "")
            )
            lat.append(f"{fmt(c['p50_ms'], 2)} / {fmt(c['p99_ms'], 2)}")
        ours = by_server.get("ours", {}).get("rps")
        ratios = [fmt(ratio(ours, by_server.get(n, {}).get("rps")), 2) for n in others]
        sizes = {n: c.get("result_size") for n, c in by_server.items()}
        size = (
            str(next(iter(sizes.values())))
            if len(set(sizes.values())) == 1
            else " · ".join(f"{n} {s if s is not None else '-'}" for n, s in sizes.items())
        )
        changed = [
            n
            for n, c in by_server.items()
            if mode == "unique" and c.get("result_size") != c.get("original_size")
        ]
        if changed:
            size += " (≠ original: " + ", ".join(changed) + ")"
        target, met = target_check(query, by_server)
        if met is not None:
            tally.setdefault(mode, []).append(met)
        lines.append("| " + " | ".join([query, mode, *rps, *lat, *ratios, size, target]) + " |")
    if tally:
        lines += [
            "",
            "targets met: "
            + ", ".join(f"{mode} {sum(v)}/{len(v)} query classes" for mode, v in tally.items()),
        ]
    return lines


def report(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The markdown tables."""
    lines = ["# dprk-kg benchmark", "", f"{meta['when']} — {meta['args']}"]
    built = [r for r in results if "build" in r]
    if built:
        lines += [
            "",
            "## Build (fast reasoner) and reasoning",
            "",
            "| size | articles | triples (ont+asserted+inferred) | load s | assemble s | reason s "
            "(fast) | validate s | write s | total s | peak RSS MiB | owlrl reason s | "
            "fast reason s (alone) |",
            "|---" * 12 + "|",
        ]
    for r in built:
        b, t = r["build"], r["build"]["timings"]
        c = b["counts"]
        total = c["triples_ontology"] + c["triples_asserted"] + c["triples_inferred"]
        lines.append(
            f"| {r['size']} | {r['articles']} | {total:,} ({c['triples_ontology']:,}+"
            f"{c['triples_asserted']:,}+{c['triples_inferred']:,}) | {fmt(t['load'], 2)} | "
            f"{fmt(t['assemble'], 2)} | {fmt(t['reason'], 2)} | {fmt(t['validate'], 2)} | "
            f"{fmt(t['write'], 2)} | {fmt(b['total_s'], 2)} | {fmt(b['peak_rss_mib'], 0)} | "
            f"{fmt(r.get('owlrl', {}).get('reason_s'), 2)} | "
            f"{fmt(r.get('fast', {}).get('reason_s'), 2)} |"
        )
    for r in results:
        if not r.get("serve"):
            continue
        serve = r["serve"]
        lines += [
            "",
            f"## Serving, {r['size']} ({r['triples']:,} triples)",
            "",
            f"load driver: {serve['driver']}; {serve['seconds']:g} s per cell, {serve['clients']} "
            "connections, loopback. † = the Python driver (that cell's single request took "
            f"≥ {serve['slow_ms']:g} ms, or wrk is missing). Modes: cached = one query text "
            "repeated; unique = a distinct text per request (no result/parse cache helps).",
            "",
            "start-up (launch → first answer, s): "
            + ", ".join(
                f"{name} {fmt(s['startup_s'], 2)}"
                + (f" (+ load {fmt(s['prepare_s'], 2)})" if s["prepare_s"] else "")
                for name, s in serve["servers"].items()
            ),
            "",
        ]
        lines += serving_table(serve)
    lines += ["", "## Versions", "", "| component | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in meta["versions"].items()]
    return "\n".join(lines) + "\n"


def serve_build(build_dir: Path, label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Start the servers over ``build_dir`` and measure the query mix; the ``serve`` record."""
    queries = {name: QUERIES[name] for name in args.queries}
    servers = harness.start_servers(build_dir, work, args.servers)
    try:
        print(f"[{label}] started: " + ", ".join(f"{s.name} {s.startup_s:.2f}s" for s in servers), flush=True)
        cells = harness.measure(
            servers,
            queries,
            args.modes,
            seconds=args.seconds,
            clients=args.clients,
            driver=args.driver,
            max_requests=args.requests,
            slow_s=args.slow_ms / 1000,
            say=lambda line: print(f"[{label}]{line}", flush=True),
        )
    finally:
        for server in servers:
            server.stop()
    return {
        "driver": args.driver_label,
        "seconds": args.seconds,
        "clients": args.clients,
        "slow_ms": args.slow_ms,
        "servers": {s.name: {"startup_s": s.startup_s, "prepare_s": s.prepare_s} for s in servers},
        "cells": [asdict(cell) for cell in cells],
    }


def bench_size(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Generate, build, reason with both reasoners, serve and load-test one size."""
    from generate import articles_for, generate, parse_size

    target = parse_size(label)
    articles = articles_for(target)
    seeds, out = work / f"seeds-{label}", work / f"build-{label}"
    generate(seeds, articles, seed=args.seed)
    print(f"[{label}] {articles} articles generated; building…", flush=True)
    result: dict[str, Any] = {"size": label, "articles": articles}
    result["build"] = child(["build", str(seeds), str(out), "fast"])
    t = result["build"]["timings"]
    counts = result["build"]["counts"]
    result["triples"] = counts["triples_ontology"] + counts["triples_asserted"] + counts["triples_inferred"]
    print(
        f"[{label}] build: "
        + ", ".join(f"{k} {v:.2f}s" for k, v in t.items())
        + f"; peak RSS {result['build']['peak_rss_mib']:.0f} MiB",
        flush=True,
    )
    result["fast"] = child(["reason", str(seeds), str(out), "fast"])
    if not args.no_owlrl and target <= parse_size(args.owlrl_max):
        print(f"[{label}] owlrl closure (slow)…", flush=True)
        result["owlrl"] = child(["reason", str(seeds), str(out), "owlrl"])
        print(
            f"[{label}] owlrl {result['owlrl']['reason_s']:.1f}s vs fast {result['fast']['reason_s']:.2f}s",
            flush=True,
        )
    if not args.no_serve:
        result["serve"] = serve_build(out, label, args, work)
    return result


def bench_build_dir(build_dir: Path, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Serve and load-test an existing build (no generation, no build timings)."""
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    label = "seed build" if build_dir.resolve() == (ROOT / "build").resolve() else str(build_dir)
    result: dict[str, Any] = {"size": label, "triples": sum(manifest["graphs"].values())}
    sub = work / f"serve-{len(list(work.glob('serve-*')))}"
    sub.mkdir(parents=True)
    result["serve"] = serve_build(build_dir, label, args, sub)
    return result


def _names(value: str, allowed: tuple[str, ...] | list[str], what: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return names


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        run_child(*argv[1:5])
        return 0
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", help="comma-separated, e.g. 10k,100k,1M (default 10k,100k; none with --build-dir)"
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        action="append",
        default=[],
        help="serve this existing build instead (repeatable; no build timings)",
    )
    parser.add_argument("--seconds", "--max-seconds", type=float, default=5, help="duration per cell")
    parser.add_argument("--clients", "--concurrency", type=int, default=4, help="connections")
    parser.add_argument(
        "--servers",
        "--endpoints",
        default=",".join(harness.SERVERS),
        help="comma-separated subset of %(default)s",
    )
    parser.add_argument("--queries", default=",".join(QUERIES), help="comma-separated subset of %(default)s")
    parser.add_argument(
        "--modes", default=",".join(harness.MODES), help="comma-separated subset of %(default)s"
    )
    parser.add_argument(
        "--driver",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load driver (auto: wrk when installed, Python for slow cells)",
    )
    parser.add_argument(
        "--slow-ms",
        type=float,
        default=harness.SLOW_S * 1000,
        help="auto: cells whose single request takes this long use the Python driver",
    )
    parser.add_argument("--requests", type=int, help="cap on requests per cell (Python driver only)")
    parser.add_argument("--owlrl-max", default="100k", help="largest size owlrl is timed on")
    parser.add_argument("--no-owlrl", action="store_true", help="skip the owlrl timing")
    parser.add_argument("--no-serve", action="store_true", help="build and reason only")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    args = parser.parse_args(argv)
    args.servers = _names(args.servers, harness.SERVERS, "servers")
    args.queries = _names(args.queries, list(QUERIES), "queries")
    args.modes = _names(args.modes, harness.MODES, "modes")
    if args.driver == "wrk" and not harness.wrk_binary():
        raise SystemExit("--driver wrk: wrk is not installed (apt-get install wrk)")
    wrk = harness.wrk_version()
    if args.driver == "python" or not wrk:
        args.driver_label = "python (threads + http.client)" + ("" if wrk else "; wrk not installed")
    else:
        args.driver_label = f"wrk {wrk} (-t1 -c{args.clients})" + (
            "" if args.driver == "wrk" else f", Python for cells ≥ {args.slow_ms:g} ms"
        )
    sizes = args.sizes if args.sizes is not None else ("" if args.build_dir else "10k,100k")
    print(f"load driver: {args.driver_label}", flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="dprk-kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "args": " ".join(argv) or "(defaults)",
        "driver": args.driver_label,
        "versions": versions(),
    }
    results = [bench_build_dir(path, args, work) for path in args.build_dir]
    results += [bench_size(label.strip(), args, work) for label in sizes.split(",") if label.strip()]
    text = report(results, meta)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8"
    )
    print(f"results: {RESULTS / stamp}.md / .json; work folder: {work}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
