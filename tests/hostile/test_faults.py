"""Faults: a query executor killed mid-query, damaged artefacts at start-up, an interrupted
build, a full disk while the build writes its artefacts."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hostile_support import ROOT, LiveServer, free_port
from procs import cmdline, cpu_seconds, descendants

DPRK_KG = [sys.executable, "-m", "graph.cli"]
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p . ?q ?r ?s }"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(build: Path) -> dict[str, str]:
    """Checksums of every file of a build directory."""
    return {p.name: sha256(p) for p in sorted(build.iterdir()) if p.is_file()}


def executors(root: int) -> list[int]:
    """Executor processes below ``root``."""
    return [pid for pid in descendants(root) if "server.worker" in cmdline(pid)]


@pytest.fixture
def live(hostile_build: Path) -> Iterator[LiveServer]:
    """A one-worker server with a long timeout (the kill must come before it)."""
    server = LiveServer(hostile_build, {"DPRK_KG_QUERY_TIMEOUT": "30"}, workers=1)
    yield server
    server.stop()


def test_executor_killed_mid_query(live: LiveServer) -> None:
    outcome: dict = {}

    def explode() -> None:
        outcome["response"] = requests.post(live.endpoint, data={"query": EXPLOSIVE}, timeout=60)

    thread = threading.Thread(target=explode)
    thread.start()
    deadline = time.monotonic() + 10
    busy = None
    while busy is None and time.monotonic() < deadline:
        before = {pid: cpu_seconds(pid) for pid in executors(live.process.pid)}
        time.sleep(0.3)
        burning = [pid for pid in before if cpu_seconds(pid) - before[pid] > 0.1]
        busy = burning[0] if burning else None
    assert busy is not None, "no executor was computing the query"
    os.kill(busy, signal.SIGKILL)
    thread.join(30)
    response = outcome["response"]
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["title"] == "Executor failure" and "Traceback" not in response.text
    again = requests.get(live.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert again.status_code == 200 and again.json()["boolean"] is True
    assert requests.get(live.url + "health", timeout=30).status_code == 200
    assert busy not in executors(live.process.pid)


def _damage(build: Path, how: str) -> None:
    dataset = build / "dataset.nq"
    if how == "missing":
        dataset.unlink()
    elif how == "truncated":
        dataset.write_bytes(dataset.read_bytes()[: dataset.stat().st_size // 2])
    elif how == "garbage":
        dataset.write_bytes(os.urandom(4096))
    elif how == "empty":
        dataset.write_bytes(b"")
    elif how == "manifest-garbage":
        (build / "manifest.json").write_bytes(b"\x00{not json")
    elif how == "manifest-missing":
        (build / "manifest.json").unlink()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("how", ["missing", "truncated", "garbage", "empty", "manifest-garbage", "manifest-missing"])
def test_damaged_artefacts_refuse_to_serve(hostile_build: Path, tmp_path: Path, how: str) -> None:
    build = tmp_path / "build"
    shutil.copytree(hostile_build, build)
    _damage(build, how)
    port = free_port()
    result = subprocess.run(
        [*DPRK_KG, "serve", "--no-build", "--build-dir", str(build), "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "cannot serve" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "rebuild" in result.stderr or "run `dprk-kg build`" in result.stderr
    assert not _listening(port)


def _interrupted_build(build: Path, after: float) -> int:
    process = subprocess.Popen(
        [*DPRK_KG, "build", "--out", str(build)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(after)
    process.kill()
    return process.wait(30)


def test_interrupted_build_keeps_the_previous_artefacts_served(hostile_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(hostile_build, build)
    before = snapshot(build)
    for after in (1.0, 3.0):  # while loading/assembling, then while reasoning
        assert _interrupted_build(build, after) == -signal.SIGKILL
        assert snapshot(build) == before
    server = LiveServer(build, {}, workers=1)
    try:
        health = requests.get(server.url + "health", timeout=30).json()
        assert health["status"] == "ok"
        assert health["manifest_sha256"] == before["manifest.json"]
    finally:
        server.stop()


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return result.returncode == 0


ENOSPC_PATCH = """
import errno, os, sys
import graph.artefacts as artefacts
written = [0]
real_fsync = os.fsync
def fsync(fd):
    written[0] += 1
    if written[0] > 2:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    real_fsync(fd)
artefacts.os.fsync = fsync
from graph.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A 200 kB tmpfs (root) or a build process whose writes fail with ENOSPC after two files."""
    mount = tmp_path / "small"
    if _mount_tmpfs(mount, "200k"):
        try:
            yield mount, DPRK_KG
        finally:
            subprocess.run(["umount", str(mount)], check=False)
    else:
        mount.mkdir(exist_ok=True)
        yield mount, [sys.executable, "-c", ENOSPC_PATCH]


def _full_disk_build(hostile_build: Path, full_disk: tuple[Path, list[str]]) -> tuple[subprocess.CompletedProcess, Path, dict]:
    place, command = full_disk
    build = place / "build"
    shutil.copytree(hostile_build, build)
    before = snapshot(build)
    result = subprocess.run([*command, "build", "--out", str(build)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return result, build, before


def test_full_disk_keeps_the_old_artefacts(hostile_build: Path, full_disk: tuple[Path, list[str]]) -> None:
    result, build, before = _full_disk_build(hostile_build, full_disk)
    assert result.returncode != 0
    assert "No space left on device" in result.stderr
    assert snapshot(build) == before
    assert [p.name for p in build.parent.iterdir()] == ["build"], "temporary folder left behind"
    server = LiveServer(build, {}, workers=1)
    try:
        assert requests.get(server.url + "health", timeout=30).json()["manifest_sha256"] == before["manifest.json"]
    finally:
        server.stop()


def test_full_disk_message_is_one_clear_line(hostile_build: Path, full_disk: tuple[Path, list[str]]) -> None:
    result, _, _ = _full_disk_build(hostile_build, full_disk)
    assert "Traceback" not in result.stderr
