"""Timeouts really stop the query: 503 in time, other clients served, the CPU freed."""

from __future__ import annotations

import threading
import time

import requests
from procs import alive, cmdline, cpu_seconds, descendants

# The whole test graph crossed with itself six times: hours of work without a timeout.
EXPLOSIVE = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p . ?q ?r ?s }"
)
TIMEOUT = 2.0  # the live server's DPRK_KG_QUERY_TIMEOUT


def executors(root: int) -> list[int]:
    return [pid for pid in descendants(root) if "server.worker" in cmdline(pid)]


def test_explosive_query_is_stopped_while_other_clients_are_served(live_server) -> None:
    outcome: dict = {}

    def explode() -> None:
        start = time.monotonic()
        outcome["response"] = requests.post(live_server.endpoint, data={"query": EXPLOSIVE}, timeout=60)
        outcome["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=explode)
    thread.start()
    time.sleep(0.8)
    before = {pid: cpu_seconds(pid) for pid in executors(live_server.process.pid)}
    start = time.monotonic()
    quick = requests.get(
        live_server.endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}, timeout=10
    )
    quick_elapsed = time.monotonic() - start
    assert quick.status_code == 200 and len(quick.json()["results"]["bindings"]) == 2
    assert thread.is_alive(), "the explosive query finished before the quick one was answered"
    assert quick_elapsed < 1.5
    time.sleep(max(0.0, 0.8 - quick_elapsed))  # a window long enough on a loaded machine
    busy = max(before, key=lambda pid: cpu_seconds(pid) - before[pid])
    assert cpu_seconds(busy) - before[busy] > 0.3, "no executor was computing"

    thread.join()
    response, elapsed = outcome["response"], outcome["elapsed"]
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]["title"] == "Query timeout"
    assert elapsed < TIMEOUT + 2

    assert not alive(busy), "the executor running the query was not killed"
    pids = descendants(live_server.process.pid)
    spent = {pid: cpu_seconds(pid) for pid in pids}
    time.sleep(1.0)
    burnt = sum(cpu_seconds(pid) - spent[pid] for pid in pids)
    assert burnt < 0.3, f"{burnt:.2f} s of CPU burnt in the second after the timeout"

    again = requests.get(live_server.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    assert again.status_code == 200 and again.json()["boolean"] is True
