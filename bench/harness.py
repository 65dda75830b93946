"""Shared plumbing of the bench scripts: servers under test, load drivers, query variants.

* :func:`start_server` launches a server in its own process group and waits for its first
  answered query (a form-POSTed ``ASK``); :meth:`Server.stop` ends the whole group (Granian's
  workers and our query executors with it). :func:`start_ours`, :func:`start_oxigraph` and
  :func:`start_rdflib_endpoint` know the three servers' command lines.
* Load drivers: :func:`run_wrk` (``wrk -t1 -c<clients> --latency`` with a Lua script that cycles
  through form-encoded bodies and prints a JSON summary from its ``done`` hook) and
  :func:`hammer` (threads + keep-alive ``http.client``, the fallback when ``wrk`` is missing).
  :func:`drive` picks one.
* :func:`with_nonce` makes a distinct query text with the same answer, so no server can answer
  from a result or parse cache (``unique`` mode); ``cached`` mode repeats one text.
* :func:`measure` runs a query mix × modes × servers and returns one row per cell.

``bench/`` is a folder of scripts, not a package: the scripts put this folder on ``sys.path``
and ``import harness``.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
PROBE = "ASK WHERE { ?s ?p ?o }"
NONCE = "__NONCE__"  # placeholder in a body line; unchanged by form encoding
MODES = ("cached", "unique")
SLOW_S = 0.05  # a cell whose single request takes this long is driven by `hammer` (see measure)

_nonces = itertools.count(1)  # nonces of single requests (verification, warm-up)
_blocks = itertools.count(1)  # nonce blocks of load runs: block × 10**9 onwards


# --------------------------------------------------------------------------- HTTP basics


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(port: int, path: str, query: str, accept: str = JSON, timeout: float = 60) -> tuple[int, bytes]:
    """One SPARQL form POST on a fresh loopback connection; ``(status, body)``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST", path, urllib.parse.urlencode({"query": query}), {"Content-Type": FORM, "Accept": accept}
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def result_size(accept: str, body: bytes) -> int:
    """Rows of a SPARQL JSON result, else non-empty lines (triples of N-Triples)."""
    if accept.endswith("json"):
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip())


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    """A running SPARQL server under test (the leader of its own process group)."""

    name: str
    port: int
    path: str
    proc: subprocess.Popen[bytes]
    startup_s: float
    prepare_s: float = 0.0
    log: Path | None = None

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after 20 s."""
        try:
            os.killpg(self.proc.pid, 15)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(
    name: str,
    argv: Sequence[str],
    port: int,
    path: str,
    *,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    poll: float = 0.05,
) -> Server:
    """Launch ``argv`` in a new process group; return once it answers ``ASK`` at ``path``.

    ``startup_s`` is the time from launch to that first answer. A 4xx answer (listening, but no
    SPARQL endpoint at ``path``), the process exiting or ``timeout`` raise RuntimeError.
    """
    where = f"; see {log}" if log else ""
    t0 = time.perf_counter()
    with open(log, "wb") if log else open(os.devnull, "wb") as out:
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
    server = Server(name, port, path, proc, float("nan"), log=log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, _ = ask(port, path, PROBE, JSON, timeout=max(5.0, timeout / 10))
            if status == 200:
                server.startup_s = time.perf_counter() - t0
                return server
            if 400 <= status < 500:
                server.stop()
                raise RuntimeError(f"{name} answers HTTP {status} at {path}{where}")
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{name} did not start (exit {proc.returncode}){where}")
        time.sleep(poll)


def start_ours(
    build_dir: Path,
    *,
    workers: int | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    poll: float = 0.05,
    timeout: float = 600,
) -> Server:
    """``dprk-kg serve --no-build`` (Granian) over ``build_dir`` on a free loopback port."""
    port = free_port()
    argv = [sys.executable, "-m", "server.cli", "serve", "--no-build", "--build-dir", str(build_dir)]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    return start_server("ours", argv, port, "/sparql", log=log, env=env, poll=poll, timeout=timeout)


def oxigraph_binary() -> str:
    """The ``oxigraph`` CLI next to this interpreter (PyPI ``oxigraph``), else on PATH."""
    local = BIN / "oxigraph"
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        raise SystemExit("the `oxigraph` binary is missing: pip install oxigraph")
    return found


def data_quads(build_dir: Path, target: Path) -> Path:
    """The build's quads minus the ontology graph, so a union default graph equals ours."""
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    suffix = f" <{manifest['base']}graph/ontology> .".encode()
    with open(build_dir / "dataset.nq", "rb") as src, open(target, "wb") as dst:
        for line in src:
            if not line.rstrip(b"\n").endswith(suffix):
                dst.write(line)
    return target


def start_oxigraph(quads: Path, location: Path, *, log: Path | None = None) -> Server:
    """``oxigraph load`` then ``oxigraph serve --union-default-graph``; ``prepare_s`` = the load."""
    binary = oxigraph_binary()
    shutil.rmtree(location, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(quads)], check=True, capture_output=True
    )
    loaded = time.perf_counter() - t0
    port = free_port()
    argv = [
        binary,
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    server = start_server("oxigraph", argv, port, "/query", log=log)
    server.prepare_s = loaded
    return server


def start_rdflib_endpoint(quads: Path, *, log: Path | None = None) -> Server:
    """``rdflib-endpoint serve`` (pyproject's ``bench`` extra) over ``quads``."""
    if not (BIN / "rdflib-endpoint").exists():
        raise SystemExit("rdflib-endpoint is missing: .venv/bin/pip install -e '.[bench]'")
    port = free_port()
    argv = [str(BIN / "rdflib-endpoint"), "serve", str(quads), "--host", "127.0.0.1", "--port", str(port)]
    return start_server("rdflib-endpoint", argv, port, "/", log=log)


SERVERS = ("ours", "oxigraph", "rdflib-endpoint")


def start_servers(build_dir: Path, work: Path, which: Iterable[str]) -> list[Server]:
    """Those of :data:`SERVERS` in ``which`` over one build (logs and stores under ``work``)."""
    which = list(which)
    servers: list[Server] = []
    try:
        quads = data_quads(build_dir, work / "data.nq")
        for name in SERVERS:
            if name not in which:
                continue
            log = work / f"{name}.log"
            if name == "ours":
                servers.append(start_ours(build_dir, log=log))
            elif name == "oxigraph":
                servers.append(start_oxigraph(quads, work / "oxigraph-db", log=log))
            else:
                servers.append(start_rdflib_endpoint(quads, log=log))
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


# --------------------------------------------------------------------------- query variants


def with_nonce(query: str, nonce: int | str) -> str:
    """``query`` with ``BIND(nonce AS ?nonce)`` right after its first ``WHERE {``.

    A ``DESCRIBE <x>`` without WHERE gets `` WHERE { BIND(nonce AS ?nonce) }``. The answer does not
    change (SELECTs project explicit variables; the BIND joins one row); the token does, so no
    cache keyed on the (normalised) text can answer it.
    """
    match = re.search(r"\bWHERE\s*\{", query, re.IGNORECASE)
    if match:
        return f"{query[: match.end()]} BIND({nonce} AS ?nonce){query[match.end() :]}"
    if re.search(r"\bDESCRIBE\b", query, re.IGNORECASE) and "{" not in query:
        return f"{query} WHERE {{ BIND({nonce} AS ?nonce) }}"
    raise ValueError(f"no WHERE {{ to put a nonce after: {query[:80]}")


def bodies(query: str, mode: str) -> list[str]:
    """Form bodies for a load run: the query itself (cached) or a :data:`NONCE` template (unique)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: one of {MODES}")
    text = query if mode == "cached" else with_nonce(query, NONCE)
    return [urllib.parse.urlencode({"query": text})]


# --------------------------------------------------------------------------- load drivers


@dataclass
class Load:
    """One load run: ``ok`` = 2xx answers, ``non_2xx`` and ``socket_errors`` the failures."""

    driver: str
    seconds: float
    ok: int
    non_2xx: int
    socket_errors: int
    p50_ms: float | None
    p99_ms: float | None

    @property
    def rps(self) -> float | None:
        """2xx answers per second."""
        return self.ok / self.seconds if self.seconds else None

    def summary(self) -> dict[str, Any]:
        """The fields plus ``rps``."""
        return {**asdict(self), "rps": self.rps}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def hammer(
    port: int,
    path: str,
    accept: str,
    lines: Sequence[str],
    *,
    seconds: float,
    clients: int,
    max_requests: int | None = None,
    timeout: float = 120,
) -> Load:
    """Python driver: ``clients`` threads with keep-alive connections POST ``lines`` round-robin.

    Stops issuing after ``seconds`` (or ``max_requests``) and waits for the requests in flight, so
    a slow server is measured over complete requests. A :data:`NONCE` in a line becomes a number
    unique to the request.
    """
    first = next(_blocks) * 10**9
    headers = {"Content-Type": FORM, "Accept": accept}
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    failures = {"non_2xx": 0, "socket": 0}
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal issued
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            with lock:
                if time.monotonic() > deadline or (max_requests is not None and issued >= max_requests):
                    break
                i = issued
                issued += 1
            body = lines[i % len(lines)].replace(NONCE, str(first + i))
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            elapsed = time.perf_counter() - t0
            with lock:
                if 200 <= status < 300:
                    latencies.append(elapsed)
                else:
                    failures["non_2xx" if status else "socket"] += 1
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    return Load(
        "python",
        elapsed,
        len(latencies),
        failures["non_2xx"],
        failures["socket"],
        p50 * 1000 if p50 is not None else None,
        p99 * 1000 if p99 is not None else None,
    )


WRK_LUA = r"""-- Written by bench/harness.py. Cycles through form bodies (one per line of $BENCH_BODIES);
-- __NONCE__ in a line becomes a number unique to the request. done() prints a JSON summary.
local requests_, count, i, nonce = {}, 0, 0, 0
local headers = {}

function init(args)
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Accept"] = os.getenv("BENCH_ACCEPT")
  nonce = tonumber(os.getenv("BENCH_NONCE"))
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    local a, b = line:find("__NONCE__", 1, true)
    if a then
      requests_[#requests_ + 1] = {line:sub(1, a - 1), line:sub(b + 1)}
    else
      requests_[#requests_ + 1] = wrk.format("POST", nil, headers, line)
    end
  end
  count = #requests_
end

function request()
  i = i % count + 1
  local r = requests_[i]
  if type(r) == "string" then
    return r
  end
  nonce = nonce + 1
  return wrk.format("POST", nil, headers, r[1] .. nonce .. r[2])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us": %d, "requests": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %.1f, "p99_us": %.1f}\n',
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_binary() -> str | None:
    """Path of ``wrk``, None when it is not installed."""
    return shutil.which("wrk")


def wrk_version() -> str | None:
    """``wrk -v``'s version word (e.g. ``debian/4.1.0-3+b2``), None without wrk."""
    binary = wrk_binary()
    if not binary:
        return None
    done = subprocess.run([binary, "-v"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).strip().splitlines()
    words = first[0].split() if first else []
    return words[1] if len(words) > 1 else "?"


def run_wrk(
    port: int,
    path: str,
    accept: str,
    lines: Sequence[str],
    *,
    seconds: float,
    clients: int,
    timeout: float = 30,
) -> Load:
    """``wrk -t1 -c<clients> -d<seconds>s --latency`` POSTing ``lines`` round-robin.

    Requests still in flight when the time is up are not counted (wrk drops them), which is why
    :func:`measure` leaves slow cells to :func:`hammer`. ``non_2xx`` is wrk's ``errors.status``
    (status > 399); socket errors are connect + read + write + timeout.
    """
    binary = wrk_binary()
    if not binary:
        raise RuntimeError("wrk is not installed")
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script, body_file = Path(tmp) / "bodies.lua", Path(tmp) / "bodies.txt"
        script.write_text(WRK_LUA, encoding="utf-8")
        body_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        env = {
            **os.environ,
            "BENCH_BODIES": str(body_file),
            "BENCH_ACCEPT": accept,
            "BENCH_NONCE": str(next(_blocks) * 10**9),
        }
        argv = [binary, "-t1", f"-c{clients}", f"-d{seconds:g}s", f"--timeout={timeout:g}s", "--latency"]
        argv += ["-s", str(script), f"http://127.0.0.1:{port}{path}"]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + timeout + 30)
    found = re.search(r"^BENCH_JSON (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-500:]}{done.stdout[-1000:]}")
    s = json.loads(found.group(1))
    socket_errors = s["connect"] + s["read"] + s["write"] + s["timeout"]
    answered = s["requests"] > 0
    return Load(
        "wrk",
        s["duration_us"] / 1e6,
        s["requests"] - s["status"],
        s["status"],
        socket_errors,
        s["p50_us"] / 1000 if answered else None,
        s["p99_us"] / 1000 if answered else None,
    )


def default_driver() -> str:
    """``wrk`` when installed, else ``python``."""
    return "wrk" if wrk_binary() else "python"


def drive(
    driver: str,
    port: int,
    path: str,
    accept: str,
    lines: Sequence[str],
    *,
    seconds: float,
    clients: int,
    max_requests: int | None = None,
) -> Load:
    """Run :func:`run_wrk` (``driver="wrk"``) or :func:`hammer` (``"python"``)."""
    if driver == "wrk":
        return run_wrk(port, path, accept, lines, seconds=seconds, clients=clients)
    return hammer(port, path, accept, lines, seconds=seconds, clients=clients, max_requests=max_requests)


# --------------------------------------------------------------------------- a query mix


def warm_up(server: Server, clients: int, rounds: int = 4) -> None:
    """Rounds of ``2 × clients`` parallel uncacheable ASKs on fresh connections.

    Our server starts one query executor per request thread lazily (each loads the dataset), so
    without this the first measured cell would pay for those start-ups.
    """
    for _ in range(rounds):
        threads = [
            threading.Thread(target=_quiet_ask, args=(server, with_nonce(PROBE, next(_nonces))))
            for _ in range(2 * clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _quiet_ask(server: Server, query: str) -> None:
    with contextlib.suppress(OSError):
        ask(server.port, server.path, query, JSON, timeout=120)


def _probe(server: Server, query: str, accept: str) -> tuple[int | None, float, str | None]:
    """``(result size, seconds, error)`` of one request."""
    t0 = time.perf_counter()
    try:
        status, body = ask(server.port, server.path, query, accept, timeout=120)
    except OSError as exc:
        return None, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - t0
    if status != 200:
        return None, elapsed, f"HTTP {status}: {body[:200]!r}"
    try:
        return result_size(accept, body), elapsed, None
    except (ValueError, KeyError) as exc:
        return None, elapsed, f"unreadable answer: {exc}"


@dataclass
class Cell:
    """One (query, mode, server) measurement."""

    query: str
    mode: str
    server: str
    driver: str | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    ok: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    seconds: float = 0.0
    result_size: int | None = None  # of this mode's text (the unique variant for `unique`)
    original_size: int | None = None  # of the original text
    single_ms: float | None = None  # one request on an idle server (the driver choice)
    error: str | None = None


def measure(
    servers: Sequence[Server],
    queries: dict[str, tuple[str, str]],
    modes: Sequence[str] = MODES,
    *,
    seconds: float = 5,
    clients: int = 4,
    driver: str = "auto",
    max_requests: int | None = None,
    slow_s: float = SLOW_S,
    say: Callable[[str], None] = print,
) -> list[Cell]:
    """Every query (name → (Accept, text)) × mode × server; servers run side by side, one busy.

    Per query and server: the original text is asked twice (its result size; the second time as
    a cache would answer it) and a unique variant once (its size must equal the original's). In
    ``auto`` a cell runs under wrk unless its single request took ``slow_s`` or more: then
    :func:`hammer` drives it (it waits for the requests in flight; the driver's own cost does not
    matter at that rate).
    """
    cells: list[Cell] = []
    for server in servers:
        warm_up(server, clients)
    for name, (accept, text) in queries.items():
        for server in servers:
            size, _, error = _probe(server, text, accept)
            _, cached_s, _ = _probe(server, text, accept)
            unique_size, unique_s, unique_error = _probe(server, with_nonce(text, next(_nonces)), accept)
            for mode in modes:
                cell = Cell(name, mode, server.name, original_size=size)
                cells.append(cell)
                cell.result_size = size if mode == "cached" else unique_size
                single = cached_s if mode == "cached" else unique_s
                cell.single_ms = single * 1000
                cell.error = error if mode == "cached" else unique_error
                if cell.error:
                    say(f"  {name:9} {mode:6} {server.name:15} not measured: {cell.error}")
                    continue
                chosen = driver
                if driver == "auto":
                    chosen = "python" if single >= slow_s or not wrk_binary() else "wrk"
                try:
                    load = drive(
                        chosen,
                        server.port,
                        server.path,
                        accept,
                        bodies(text, mode),
                        seconds=seconds,
                        clients=clients,
                        max_requests=max_requests,
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    cell.error = str(exc)[:300]
                    say(f"  {name:9} {mode:6} {server.name:15} driver failed: {cell.error}")
                    continue
                cell.driver, cell.rps, cell.seconds = load.driver, load.rps, load.seconds
                cell.p50_ms, cell.p99_ms, cell.ok = load.p50_ms, load.p99_ms, load.ok
                cell.non_2xx, cell.socket_errors = load.non_2xx, load.socket_errors
                say(
                    f"  {name:9} {mode:6} {server.name:15} {load.driver:6} {fmt(cell.rps):>9} req/s  "
                    f"p50 {fmt(cell.p50_ms, 2)} ms  p99 {fmt(cell.p99_ms, 2)} ms  ok {load.ok}  "
                    f"non-2xx {load.non_2xx}  socket errors {load.socket_errors}  size {cell.result_size}"
                )
    return cells


# --------------------------------------------------------------------------- report helpers


def fmt(value: float | None, digits: int = 1) -> str:
    """A number for a table, ``-`` when missing."""
    return "-" if value is None or value != value else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, None when either is missing or zero."""
    return a / b if a and b else None
