"""The build: seeds + ontology → asserted graph → OWL 2 RL closure → SHACL → artefacts.

``build()`` either writes a complete, validated set of artefacts or raises BuildError and
leaves the previous artefacts exactly as they were.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from . import artefacts
from .annotations import load_seeds
from .assemble import Assembler
from .config import Settings
from .errors import BuildError
from .iris import Minter
from .namespaces import DKG
from .ontology import load_ontology
from .reason import reason
from .validate import load_shapes, violations
from .views import GraphView

MANIFEST = "manifest.json"
ARTEFACTS = (
    "dataset.trig",
    "dataset.nq",
    "asserted.ttl",
    "inferred.ttl",
    "ontology.ttl",
    "void.ttl",
    MANIFEST,
)
COUNTED_CLASSES = ("Actor", "Deployment", "Transfer", "Claim", "Source", "EvidenceSpan", "Event")


@dataclass
class BuildResult:
    """What a build produced: graphs, counts, timings and the uncovered sentences."""

    out_dir: Path | None
    graphs: dict[str, Graph]
    counts: dict[str, int]
    timings: dict[str, float]
    uncovered: list[tuple[str, str, str]]
    dropped: dict[str, int]
    reasoner: str = "owlrl"


def input_files(settings: Settings) -> list[Path]:
    """Every file whose content determines the artefacts (seeds, ontology, build code)."""
    files = [p for p in settings.seeds_dir.iterdir() if p.suffix in (".txt", ".yaml")]
    files += [p for p in settings.ontology_dir.iterdir() if p.suffix == ".ttl"]
    here = Path(__file__).parent
    files += [p for p in here.iterdir() if p.suffix in (".py", ".json")]
    return sorted(files)


def inputs_sha256(settings: Settings) -> str:
    """One hash over the base and every input file's name and bytes."""
    digest = hashlib.sha256(settings.base.encode())
    for path in input_files(settings):
        digest.update(f"\0{path.parent.name}/{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_stale(settings: Settings) -> bool:
    """True when artefacts are missing, unreadable or built from other inputs."""
    try:
        doc = json.loads((settings.out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    if any(not (settings.out_dir / name).is_file() for name in ARTEFACTS):
        return True
    return doc.get("inputs_sha256") != inputs_sha256(settings)


def _class_counts(asserted: Graph, inferred: Graph) -> dict[str, int]:
    counts = {}
    for name in COUNTED_CLASSES:
        members = set(asserted.subjects(RDF.type, DKG[name]))
        members |= set(inferred.subjects(RDF.type, DKG[name]))
        counts[name] = len(members)
    return counts


_freeze_lock = threading.Lock()
_freeze_depth = 0


@contextmanager
def _collector_skips_finished_phases() -> Iterator[Callable[[], None]]:
    """Yield ``phase_done``, which lets the cyclic garbage collector skip what exists so far.

    A full collection visits every tracked object, and a large build's graphs are millions of
    them, visited again at every full collection of each later phase (about 5 s each at 1M
    triples). ``phase_done`` moves everything alive into the permanent generation
    (``gc.freeze``); leaving the outermost block puts it back (``gc.unfreeze``). Nothing is
    frozen when something else in the process froze objects first.
    """
    global _freeze_depth
    with _freeze_lock:
        active = _freeze_depth > 0 or gc.get_freeze_count() == 0
        if active:
            _freeze_depth += 1

    def phase_done() -> None:
        if active:
            gc.freeze()

    try:
        yield phase_done
    finally:
        if active:
            with _freeze_lock:
                _freeze_depth -= 1
                if _freeze_depth == 0:
                    gc.unfreeze()


def assemble_and_check(settings: Settings) -> BuildResult:
    """Load, assemble, reason and validate, without writing anything."""
    with _collector_skips_finished_phases() as phase_done:
        return _assemble_and_check(settings, phase_done)


def _assemble_and_check(settings: Settings, phase_done: Callable[[], None]) -> BuildResult:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ontology = load_ontology(settings.ontology_dir)
    shapes = load_shapes(settings.ontology_dir)
    seeds = load_seeds(settings.seeds_dir)
    timings["load"] = time.perf_counter() - t0
    phase_done()

    t0 = time.perf_counter()
    assembled = Assembler(seeds, ontology, Minter(settings.base)).run()
    asserted = assembled.graph
    timings["assemble"] = time.perf_counter() - t0
    phase_done()

    t0 = time.perf_counter()
    reasoned = reason(ontology, asserted, settings.base, settings.reasoner)
    timings["reason"] = time.perf_counter() - t0
    phase_done()
    if reasoned.errors:
        raise BuildError(
            "the OWL 2 RL closure is inconsistent: " + "; ".join(reasoned.errors),
            file=settings.ontology_dir / "dprk-kg.ttl",
        )

    t0 = time.perf_counter()
    # The union of the three graphs, read in place (no copy of their triples).
    problems = violations(GraphView([ontology, asserted, reasoned.inferred]), shapes)
    timings["validate"] = time.perf_counter() - t0
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BuildError(
            f"SHACL validation failed ({len(problems)} violations):\n  {shown}{more}",
            file=settings.ontology_dir / "shapes.ttl",
        )

    graphs = {"ontology": ontology, "asserted": asserted, "inferred": reasoned.inferred}
    counts = {"triples_" + name: len(g) for name, g in graphs.items()}
    counts.update(_class_counts(asserted, reasoned.inferred))
    counts["articles"] = len(seeds.articles)
    return BuildResult(
        None, graphs, counts, timings, assembled.uncovered, reasoned.dropped, reasoned.reasoner
    )


def build(settings: Settings, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Build and write every artefact into ``settings.out_dir`` (atomically)."""
    with _collector_skips_finished_phases() as phase_done:
        result = assemble_and_check(settings)
        phase_done()
        return _write(settings, result, before_swap)


def _write(
    settings: Settings, result: BuildResult, before_swap: Callable[[Path], None] | None
) -> BuildResult:
    t0 = time.perf_counter()
    minter = Minter(settings.base)
    iris = {name: minter.graph(name) for name in artefacts.GRAPH_ORDER}
    graphs = result.graphs
    base = settings.base
    article_iris = sorted(URIRef(str(s)) for s in graphs["asserted"].subjects(RDF.type, DKG.NewsArticle))
    # Each graph is serialised once: TriG reuses the Turtle, N-Quads the N-Triples lines;
    # each graph's triples are listed once, for N-Triples and the VoID counts.
    order = artefacts.GRAPH_ORDER
    turtles = {name: artefacts.turtle(graphs[name], base) for name in order}
    triples = {name: list(graphs[name]) for name in order}
    known: dict = {}
    lines = {name: artefacts.ntriples_lines(graphs[name], known, triples[name]) for name in order}
    files: dict[str, bytes] = {
        "dataset.trig": artefacts.trig_from_turtle(turtles, iris).encode("utf-8"),
        "dataset.nq": artefacts.nquads_from_lines(lines, iris).encode("utf-8"),
        "asserted.ttl": turtles["asserted"].encode("utf-8"),
        "inferred.ttl": turtles["inferred"].encode("utf-8"),
        "ontology.ttl": turtles["ontology"].encode("utf-8"),
        "void.ttl": artefacts.turtle(artefacts.void(graphs, iris, base, article_iris, triples), base).encode(
            "utf-8"
        ),
    }
    del turtles, triples, lines, known
    report = {
        "counts": dict(sorted(result.counts.items())),
        "dropped_from_closure": dict(sorted(result.dropped.items())),
        "reasoner": result.reasoner,
        "uncovered_sentences": [{"article": a, "sentence": s, "reason": r} for a, s, r in result.uncovered],
    }
    files[MANIFEST] = artefacts.manifest(base, iris, graphs, inputs_sha256(settings), files, report)
    artefacts.write_atomically(settings.out_dir, files, before_swap=before_swap)
    result.timings["write"] = time.perf_counter() - t0
    result.out_dir = settings.out_dir
    return result


__all__ = ["BuildError", "BuildResult", "assemble_and_check", "build", "is_stale"]
