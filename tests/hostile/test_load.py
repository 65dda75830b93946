"""Load (long run only, ``DPRK_KG_LONG=1``): ``bench/load_hostile.py`` for 60 s, 32 clients.

Cheap lookups must never fail, expensive queries answer or 503 cleanly, and the resident
memory of the server + workers + executors stays flat (end < start × 1.5 + 50 MB).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile_support import ROOT, long_only

from graph.build import build
from graph.config import Settings as GraphSettings


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("load_hostile", ROOT / "bench" / "load_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_hostile"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@long_only
def test_hostile_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build"
    build(GraphSettings.from_env(out_dir=out))
    seconds = float(os.environ.get("DPRK_KG_LOAD_SECONDS", "60"))
    report = _bench().run(out, seconds=seconds, clients=32, expensive_clients=4, workers=4, timeout=2.0)
    with capsys.disabled():
        print("\n" + report.text())
    assert report.cheap > 0 and report.expensive > 0
    assert report.cheap_errors == 0, report.errors
    assert report.expensive_bad == 0, report.errors
    assert report.memory_flat(), (report.rss_start_mb, report.rss_end_mb)
