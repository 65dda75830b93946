"""Benchmark: build phases, reasoning (owlrl vs fast) and SPARQL serving, per corpus size.

    .venv/bin/python bench/run.py                        # 10k and 100k triples
    .venv/bin/python bench/run.py --sizes 10k,100k,1M    # add the 1M corpus (long)
    .venv/bin/python bench/run.py --sizes 10k --requests 100 --no-owlrl --no-serve

For each size: ``bench/generate.py`` writes a synthetic seeds folder; the real build
(``graph.build.build``, fast reasoner) runs in a child process that reports its phase times
(load, assemble, reason, validate, write) and its peak RSS; owlrl's closure alone is timed
likewise (up to ``--owlrl-max`` triples; it needs minutes from 100k on). The dataset is then
served by (a) our endpoint, ``dprk-kg serve --build-dir OUT --no-build``, (b) ``oxigraph serve``
over the same quads (``oxigraph load`` first) and (c) rdflib-endpoint (pinned in
pyproject's ``bench`` extra) over the same quads; (b) and (c) get the asserted + inferred graphs
as their union default graph, which is what our endpoint's default graph is. The same query mix
(lookup, join, regex filter, aggregate, property path, DESCRIBE, CONSTRUCT) goes to each with a
bounded loopback load generator (threads + http.client, ``--requests`` per query, at most
``--max-seconds`` per query and endpoint, ``--concurrency`` connections). Start-up is the time
from launching the server on built artefacts to its first answered query.

Prints markdown tables (median, p99, req/s, ratios ours/oxigraph and ours/rdflib-endpoint,
versions) and writes them with the raw numbers to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
BASE = "https://dprk-kg.example.org/"
ONTOLOGY_GRAPH = f"<{BASE}graph/ontology>"
PREFIXES = ("PREFIX dkg: <https://dprk-kg.example.org/ontology#> "
            "PREFIX schema: <https://schema.org/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
CLAIM = f"<{BASE}claim/000_24d540ed9a0fd9f0/containers-15000>"
QUERIES: dict[str, tuple[str, str]] = {  # name -> (Accept, query)
    "lookup": ("application/sparql-results+json",
               f"SELECT ?p ?o WHERE {{ {CLAIM} ?p ?o }}"),
    "join": ("application/sparql-results+json", PREFIXES +
             "SELECT ?claim ?who ?source ?v WHERE { ?claim dkg:claimant ?who ; dkg:statedIn ?source ;"
             " dkg:value ?val . ?val schema:value ?v . ?who a dkg:State } ORDER BY ?claim LIMIT 100"),
    "regex": ("application/sparql-results+json", PREFIXES +
              'SELECT ?s ?label WHERE { ?s rdfs:label ?label '
              'FILTER regex(?label, "^operation amber 1", "i") } ORDER BY ?s LIMIT 50'),
    "aggregate": ("application/sparql-results+json",
                  "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type "
                  "ORDER BY DESC(?n) ?type"),
    "path": ("application/sparql-results+json", PREFIXES +
             f"SELECT ?e ?place WHERE {{ ?e dkg:partOf+ <{BASE}event/russia-north-korea-military-"
             "cooperation> . ?e dkg:location/dkg:locatedIn* ?place } ORDER BY ?e ?place LIMIT 200"),
    "describe": ("application/n-triples", f"DESCRIBE {CLAIM}"),
    "construct": ("application/n-triples", PREFIXES +
                  "CONSTRUCT { ?a dkg:supplied ?b } WHERE { ?a dkg:supplied ?b }"),
}


@dataclass
class Load:
    """Latencies of one query against one endpoint."""

    sent: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    result_size: int | None = None  # rows (SELECT) or lines (graphs) of the first answer

    def summary(self) -> dict[str, Any]:
        """median and p99 in ms, req/s."""
        lat = sorted(self.latencies)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else None
        return {"ok": self.ok, "errors": self.errors,
                "median_ms": statistics.median(lat) * 1000 if lat else None,
                "p99_ms": p99 * 1000 if p99 is not None else None,
                "rps": self.ok / self.seconds if self.seconds else None,
                "result_size": self.result_size}


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _size_of(accept: str, body: bytes) -> int:
    if accept.endswith("json"):
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip())


def ask(port: int, path: str, query: str, accept: str, timeout: float = 60) -> tuple[int, bytes]:
    """One SPARQL form POST on loopback; (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, urllib.parse.urlencode({"query": query}),
                     {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def hammer(port: int, path: str, accept: str, query: str, requests: int, concurrency: int,
           max_seconds: float) -> Load:
    """Send ``requests`` copies of ``query`` over ``concurrency`` keep-alive connections."""
    load = Load()
    body = urllib.parse.urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    try:
        status, first = ask(port, path, query, accept, timeout=max_seconds + 5)  # warm-up
        load.result_size = _size_of(accept, first) if status == 200 else None
    except (OSError, ValueError, KeyError):
        pass

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max_seconds + 5)
        while True:
            with lock:
                if load.sent >= requests or time.monotonic() > deadline:
                    break
                load.sent += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                good = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                good = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max_seconds + 5)
            with lock:
                if good:
                    load.ok += 1
                    load.latencies.append(time.perf_counter() - t0)
                else:
                    load.errors += 1
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - t0
    return load


@dataclass
class Server:
    """A running SPARQL server under test."""

    name: str
    port: int
    path: str
    proc: subprocess.Popen
    startup_s: float
    prepare_s: float = 0.0

    def stop(self) -> None:
        """Terminate the server (and gunicorn's workers, which share its process group)."""
        try:
            os.killpg(self.proc.pid, 15)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()


def start(name: str, argv: list[str], port: int, path: str, log: Path,
          timeout: float = 600) -> Server:
    """Launch ``argv`` in its own process group; wait for its first answered query."""
    t0 = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=ROOT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, _ = ask(port, path, "ASK { ?s ?p ?o }", "application/sparql-results+json", 5)
            if status == 200:
                return Server(name, port, path, proc, time.perf_counter() - t0)
            if 400 <= status < 500:  # listening, but not a SPARQL endpoint at this path
                Server(name, port, path, proc, 0.0).stop()
                raise RuntimeError(f"{name} answers HTTP {status} at {path}; see {log}")
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server = Server(name, port, path, proc, float("nan"))
            server.stop()
            raise RuntimeError(f"{name} did not start; see {log}")
        time.sleep(0.05)


def data_quads(out_dir: Path, target: Path) -> Path:
    """The build's quads minus the ontology graph (so a union default graph = ours)."""
    with open(out_dir / "dataset.nq", "rb") as src, open(target, "wb") as dst:
        suffix = f" {ONTOLOGY_GRAPH} .".encode()
        for line in src:
            if not line.rstrip(b"\n").endswith(suffix):
                dst.write(line)
    return target


def start_servers(out_dir: Path, work: Path, which: list[str]) -> list[Server]:
    """Our endpoint, oxigraph serve and rdflib-endpoint over the build in ``out_dir``."""
    servers: list[Server] = []
    try:
        _start_servers(out_dir, work, which, servers)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def _start_servers(out_dir: Path, work: Path, which: list[str], servers: list[Server]) -> None:
    quads = data_quads(out_dir, work / "data.nq")
    if "ours" in which:
        port = free_port()
        servers.append(start("ours", [str(BIN / "dprk-kg"), "serve", "--build-dir", str(out_dir),
                                      "--port", str(port), "--host", "127.0.0.1", "--no-build"],
                             port, "/sparql", work / "ours.log"))
    if "oxigraph" in which:
        location = work / "oxigraph-db"
        shutil.rmtree(location, ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file",
                        str(quads)], check=True, capture_output=True)
        loaded = time.perf_counter() - t0
        port = free_port()
        server = start("oxigraph", [str(BIN / "oxigraph"), "serve", "--location", str(location),
                                    "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                       port, "/query", work / "oxigraph.log")
        server.prepare_s = loaded
        servers.append(server)
    if "rdflib-endpoint" in which:
        port = free_port()
        servers.append(start("rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", str(quads),
                                                 "--host", "127.0.0.1", "--port", str(port)],
                             port, "/", work / "rdflib-endpoint.log"))


def child(argv: list[str]) -> dict[str, Any]:
    """Run ``bench/run.py --child …`` in a fresh process; its JSON answer."""
    done = subprocess.run([sys.executable, __file__, "--child", *argv], capture_output=True,
                          text=True, cwd=ROOT)
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
        answer = {"total_s": time.perf_counter() - t0, "timings": result.timings,
                  "counts": result.counts, "reasoner": result.reasoner}
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
        answer = {"reason_s": time.perf_counter() - t0, "inferred": len(reasoned.inferred),
                  "input": len(ontology) + len(asserted)}
    answer["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(answer))


def versions() -> dict[str, str]:
    """Versions of everything measured."""
    found = {"python": sys.version.split()[0]}
    for dist in ("rdflib", "owlrl", "pyshacl", "pyoxigraph", "oxigraph", "rdflib-endpoint",
                 "flask", "gunicorn", "uvicorn"):
        try:
            found[dist] = version(dist)
        except Exception:  # noqa: BLE001 - not installed
            found[dist] = "-"
    found["cpus"] = str(os.cpu_count())
    return found


def fmt(value: float | None, digits: int = 1) -> str:
    """A number for the table, ``-`` when missing."""
    return "-" if value is None or value != value else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    """``a / b`` for the table."""
    return "-" if not a or not b else f"{a / b:.2f}"


def report(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The markdown tables."""
    lines = ["# dprk-kg benchmark", "", f"{meta['when']} — {meta['args']}", "",
             "## Build (fast reasoner) and reasoning", "",
             "| size | articles | triples (ont+asserted+inferred) | load s | assemble s | reason s "
             "(fast) | validate s | write s | total s | peak RSS MiB | owlrl reason s | "
             "fast reason s (alone) |", "|---" * 12 + "|"]
    for r in results:
        b, t = r["build"], r["build"]["timings"]
        c = b["counts"]
        total = c["triples_ontology"] + c["triples_asserted"] + c["triples_inferred"]
        lines.append(
            f"| {r['size']} | {r['articles']} | {total:,} ({c['triples_ontology']:,}+"
            f"{c['triples_asserted']:,}+{c['triples_inferred']:,}) | {fmt(t['load'], 2)} | "
            f"{fmt(t['assemble'], 2)} | {fmt(t['reason'], 2)} | {fmt(t['validate'], 2)} | "
            f"{fmt(t['write'], 2)} | {fmt(b['total_s'], 2)} | {fmt(b['peak_rss_mib'], 0)} | "
            f"{fmt(r.get('owlrl', {}).get('reason_s'), 2)} | "
            f"{fmt(r.get('fast', {}).get('reason_s'), 2)} |")
    for r in results:
        if not r.get("serve"):
            continue
        serve = r["serve"]
        lines += ["", f"## Serving, {r['size']} triples", "",
                  "start-up (launch → first answer, s): " + ", ".join(
                      f"{name} {fmt(s['startup_s'], 2)}"
                      + (f" (+ load {fmt(s['prepare_s'], 2)})" if s["prepare_s"] else "")
                      for name, s in serve["servers"].items()), "",
                  "| query | endpoint | median ms | p99 ms | req/s | ok/err | result size |",
                  "|---|---|---|---|---|---|---|"]
        for query, by_server in serve["queries"].items():
            for name, s in by_server.items():
                lines.append(f"| {query} | {name} | {fmt(s['median_ms'], 2)} | "
                             f"{fmt(s['p99_ms'], 2)} | {fmt(s['rps'])} | {s['ok']}/{s['errors']} | "
                             f"{s['result_size'] if s['result_size'] is not None else '-'} |")
        lines += ["", "| query | ours/oxigraph median | ours/rdflib-endpoint median | "
                  "ours/oxigraph req/s | ours/rdflib-endpoint req/s |", "|---|---|---|---|---|"]
        for query, by_server in serve["queries"].items():
            ours = by_server.get("ours", {})
            ox = by_server.get("oxigraph", {})
            rd = by_server.get("rdflib-endpoint", {})
            lines.append(f"| {query} | {ratio(ours.get('median_ms'), ox.get('median_ms'))} | "
                         f"{ratio(ours.get('median_ms'), rd.get('median_ms'))} | "
                         f"{ratio(ours.get('rps'), ox.get('rps'))} | "
                         f"{ratio(ours.get('rps'), rd.get('rps'))} |")
    lines += ["", "## Versions", "", "| component | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in meta["versions"].items()]
    return "\n".join(lines) + "\n"


def bench_size(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Generate, build, reason with both reasoners, serve and load-test one size."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import articles_for, generate, parse_size

    target = parse_size(label)
    articles = articles_for(target)
    seeds, out = work / f"seeds-{label}", work / f"build-{label}"
    generate(seeds, articles, seed=args.seed)
    print(f"[{label}] {articles} articles generated; building…", flush=True)
    result: dict[str, Any] = {"size": label, "articles": articles}
    result["build"] = child(["build", str(seeds), str(out), "fast"])
    t = result["build"]["timings"]
    print(f"[{label}] build: " + ", ".join(f"{k} {v:.2f}s" for k, v in t.items())
          + f"; peak RSS {result['build']['peak_rss_mib']:.0f} MiB", flush=True)
    result["fast"] = child(["reason", str(seeds), str(out), "fast"])
    if not args.no_owlrl and target <= parse_size(args.owlrl_max):
        print(f"[{label}] owlrl closure (slow)…", flush=True)
        result["owlrl"] = child(["reason", str(seeds), str(out), "owlrl"])
        print(f"[{label}] owlrl {result['owlrl']['reason_s']:.1f}s vs fast "
              f"{result['fast']['reason_s']:.2f}s", flush=True)
    if args.no_serve:
        return result
    servers = start_servers(out, work, args.endpoints.split(","))
    serve: dict[str, Any] = {"servers": {s.name: {"startup_s": s.startup_s,
                                                  "prepare_s": s.prepare_s} for s in servers},
                             "queries": {}}
    try:
        for query, (accept, text) in QUERIES.items():
            serve["queries"][query] = {}
            for server in servers:
                load = hammer(server.port, server.path, accept, text, args.requests,
                              args.concurrency, args.max_seconds)
                serve["queries"][query][server.name] = load.summary()
                print(f"[{label}] {query:9} {server.name:15} {load.summary()}", flush=True)
    finally:
        for server in servers:
            server.stop()
    result["serve"] = serve
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        run_child(*argv[1:5])
        return 0
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated, e.g. 10k,100k,1M")
    parser.add_argument("--requests", type=int, default=200, help="requests per query+endpoint")
    parser.add_argument("--concurrency", type=int, default=4, help="connections")
    parser.add_argument("--max-seconds", type=float, default=20, help="cap per query+endpoint")
    parser.add_argument("--owlrl-max", default="100k", help="largest size owlrl is timed on")
    parser.add_argument("--no-owlrl", action="store_true", help="skip the owlrl timing")
    parser.add_argument("--no-serve", action="store_true", help="build and reason only")
    parser.add_argument("--endpoints", default="ours,oxigraph,rdflib-endpoint")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="dprk-kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    meta = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "args": " ".join(argv) or "(defaults)",
            "versions": versions()}
    results = [bench_size(label.strip(), args, work) for label in args.sizes.split(",")]
    text = report(results, meta)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8")
    print(f"results: {RESULTS / stamp}.md / .json; work folder: {work}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

