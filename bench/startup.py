"""Start-up time of `dprk-kg serve`: process start → first 200 on ``/sparql``, median of N runs.

Two datasets: the seed build (``--build-dir``, built first if missing, then served with
``--no-build``) and a synthetic N-Quads file of ``--triples`` simple quads (a temporary build
directory with ``dataset.nq`` + ``manifest.json``, for this measurement only). Each run starts
a fresh server (``--workers`` Granian workers; ``harness.start_ours``), POSTs ``ASK { ?s ?p ?o }``
to ``/sparql`` every 20 ms until one is answered and stops the server. The first query pays for
the lazily started executor loading the dataset into its in-memory store, so the number is
"time until the endpoint can answer".

    .venv/bin/python bench/startup.py --build-dir build --triples 300000 --runs 3

Not a test: prints a markdown table, no thresholds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts
import harness  # noqa: E402

ROOT = harness.ROOT
BASE = "https://dprk-kg.example.org/"


def synthetic_build(out: Path, triples: int) -> Path:
    """Write ``triples`` simple quads (half asserted, half inferred) and a manifest into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    graphs = {f"{BASE}graph/asserted": 0, f"{BASE}graph/inferred": 0}
    names = list(graphs)
    with (out / "dataset.nq").open("w", encoding="utf-8") as f:
        for i in range(triples):
            graph = names[i % 2]
            graphs[graph] += 1
            s = f"<{BASE}entity/e{i // 10}>"
            if i % 3 == 0:
                f.write(f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "entity {i}"@en <{graph}> .\n')
            else:
                o = f"<{BASE}entity/e{(i * 7919) % (triples // 10 + 1)}>"
                f.write(f"{s} <{BASE}ontology#p{i % 7}> {o} <{graph}> .\n")
    manifest = {"base": BASE, "graphs": graphs, "inputs_sha256": "synthetic", "files": {}}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def time_to_first_answer(build_dir: Path, workers: int, limit: float = 600.0) -> float:
    """Seconds from spawning `serve --no-build` to the first answered query on /sparql."""
    server = harness.start_ours(build_dir, workers=workers, poll=0.02, timeout=limit)
    server.stop()
    return server.startup_s


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--triples", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    if not (args.build_dir / "dataset.nq").is_file():
        from server.cli import ensure_built
        from server.settings import Settings

        ensure_built(Settings(build_dir=args.build_dir))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        large = synthetic_build(Path(tmp) / "large", args.triples)
        for label, build in (("seed build", args.build_dir), (f"synthetic {args.triples:,} quads", large)):
            quads = sum(1 for _ in (build / "dataset.nq").open("rb"))
            times = [time_to_first_answer(build, args.workers) for _ in range(args.runs)]
            rows.append((label, quads, statistics.median(times), times))
    print(f"| dataset | quads | median s (of {args.runs}) | runs |")
    print("|---|---|---|---|")
    for label, quads, median, times in rows:
        print(f"| {label} | {quads:,} | {median:.2f} | {', '.join(f'{t:.2f}' for t in times)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
