"""Executor child processes, started lazily (after the web server forked its workers).

Each web worker owns a small pool. A request takes an idle child (or starts one), sends its
request and waits at most ``timeout`` seconds for the reply. On timeout the child is killed —
its CPU is freed at once — and a fresh child is started in the background for the next
request; the caller answers 503. Children are spawned (not forked) so no web-server state or
threads leak into them (``python -m server.worker``, talking over two pipes with
``multiprocessing.connection`` framing), and they exit when their parent's pipe closes.

Updates (when enabled) are kept in an ordered log and replayed into any child that has not
seen them yet (a fresh child after a timeout, or another child of the pool), so every child
of a worker answers from the same data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from server.worker import StoreSpec

STARTUP_TIMEOUT = 300.0
"""Seconds a child may take to load the dataset before it is considered broken."""


class ExecutorTimeout(Exception):
    """The request did not finish in time; its child was killed."""


class ExecutorBusy(Exception):
    """Every child of the pool stayed busy for the whole timeout."""


class ExecutorFailed(Exception):
    """A child died or failed to load the dataset."""


@dataclass
class Child:
    """One executor process and the parent's ends of its pipes."""

    process: subprocess.Popen[bytes]
    outbox: Connection
    inbox: Connection
    ready: bool = False
    applied: int = 0
    started: float = field(default_factory=time.monotonic)

    def kill(self) -> None:
        """Kill the process (SIGKILL) and reap it."""
        try:
            self.process.kill()
            self.process.wait(5)
        finally:
            self.outbox.close()
            self.inbox.close()

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None

    def wait_ready(self) -> None:
        """Block until the child has loaded its store."""
        if self.ready:
            return
        if not self.inbox.poll(STARTUP_TIMEOUT):
            raise ExecutorFailed("executor did not load the dataset in time")
        try:
            reply = self.inbox.recv()
        except EOFError as exc:
            raise ExecutorFailed("executor died while loading the dataset") from exc
        if not reply.get("ok"):
            raise ExecutorFailed(reply.get("detail", "executor failed to start"))
        self.ready = True

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait at most ``timeout`` seconds for its reply."""
        try:
            self.outbox.send(request)
        except OSError as exc:
            raise ExecutorFailed("executor is gone") from exc
        if not self.inbox.poll(timeout):
            raise ExecutorTimeout(f"no answer within {timeout:g} s")
        try:
            return self.inbox.recv()
        except EOFError as exc:
            raise ExecutorFailed("executor died") from exc


class ExecutorPool:
    """A bounded pool of executor children for one web worker process."""

    def __init__(self, spec: StoreSpec, size: int = 2) -> None:
        self.spec = spec
        self.size = max(1, size)
        self._cond = threading.Condition()
        self._idle: list[Child] = []
        self._count = 0
        self._updates: list[dict[str, Any]] = []
        self._update_lock = threading.Lock()

    @property
    def generation(self) -> int:
        """Number of updates applied so far (part of every cache key)."""
        return len(self._updates)

    def _start(self) -> Child:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "server.worker",
                    str(to_child_r),
                    str(from_child_w),
                    self.spec.to_json(),
                ],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            for fd in (to_child_w, from_child_r):
                os.close(fd)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        os.set_inheritable(to_child_w, False)
        os.set_inheritable(from_child_r, False)
        return Child(
            process,
            Connection(to_child_w, readable=False),
            Connection(from_child_r, writable=False),
        )

    def _acquire(self, timeout: float) -> Child:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                while self._idle:
                    child = self._idle.pop()
                    if child.alive():
                        return child
                    self._discard_locked(child)
                if self._count < self.size:
                    self._count += 1
                    try:
                        return self._start()
                    except Exception:
                        self._count -= 1
                        raise
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExecutorBusy("all executors are busy")
                self._cond.wait(remaining)

    def _release(self, child: Child) -> None:
        with self._cond:
            self._idle.append(child)
            self._cond.notify()

    def _discard_locked(self, child: Child) -> None:
        child.kill()
        self._count -= 1
        self._cond.notify()

    def _discard(self, child: Child, restart: bool) -> None:
        with self._cond:
            self._discard_locked(child)
            if restart and self._count < self.size:
                # Start a replacement now so it loads while nobody waits for it.
                self._count += 1
                try:
                    self._idle.append(self._start())
                except Exception:
                    self._count -= 1

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Run ``request`` in a child within ``timeout`` seconds (dataset loading not counted)."""
        if request.get("op") == "update":
            with self._update_lock:  # one update at a time keeps the log in child order
                return self._call(request, timeout)
        return self._call(request, timeout)

    def _call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        child = self._acquire(timeout)
        try:
            child.wait_ready()
            self._replay(child)
            reply = child.call(request, timeout)
        except ExecutorTimeout:
            self._discard(child, restart=True)
            raise
        except BaseException:
            self._discard(child, restart=False)
            raise
        if request.get("op") == "update" and reply.get("ok"):
            with self._cond:
                self._updates.append(request)
                child.applied = len(self._updates)
        self._release(child)
        return reply

    def _replay(self, child: Child) -> None:
        while child.applied < len(self._updates):
            reply = child.call(self._updates[child.applied], STARTUP_TIMEOUT)
            if not reply.get("ok"):
                raise ExecutorFailed(f"replaying an update failed: {reply.get('detail')}")
            child.applied += 1

    def close(self) -> None:
        """Kill every idle child (busy ones exit when their pipe closes)."""
        with self._cond:
            for child in self._idle:
                child.kill()
            self._count -= len(self._idle)
            self._idle.clear()

    def pids(self) -> list[int]:
        """Process ids of the idle children (for diagnostics and tests)."""
        with self._cond:
            return [c.process.pid for c in self._idle]
