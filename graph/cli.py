"""The ``dprk-kg`` command: build, validate and query the knowledge graph.

Other packages of the project contribute sub-commands (``serve``…) through the entry-point
group ``dprk_kg.commands``: each entry point is a ``register(subparsers)`` callable.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from importlib.metadata import entry_points

from .config import Settings
from .errors import BuildError


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command shares: seed folder, build folder and IRI base."""
    parser.add_argument("--seeds", help="folder of articles and annotations (default: seeds/)")
    parser.add_argument("--out", help="build folder (default: build/)")
    parser.add_argument("--base", help="IRI base of the data (default: %(default)s)")
    parser.add_argument("--reasoner", choices=("auto", "owlrl", "fast"),
                        help="OWL 2 RL reasoner: owlrl (reference), fast (graph/reason_fast.py) "
                             "or auto (default: owlrl below 20,000 triples, fast above)")


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the command line."""
    return Settings.from_env(seeds_dir=args.seeds, out_dir=args.out, base=args.base,
                             reasoner=getattr(args, "reasoner", None))


def _build(args: argparse.Namespace) -> int:
    from .build import build

    settings = settings_from(args)
    times = []
    result = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = build(settings)
        times.append(time.perf_counter() - t0)
    assert result is not None
    c = result.counts
    print(f"built {settings.out_dir}: {c['triples_asserted']} asserted, {c['triples_inferred']} "
          f"inferred, {c['triples_ontology']} ontology triples")
    print("  " + ", ".join(f"{c[k]} {k.lower()}s" for k in
                           ("Actor", "Deployment", "Transfer", "Claim", "Source")))
    print("  time: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
          + f" (reasoner: {result.reasoner})")
    if args.repeat > 1:
        print(f"  median of {args.repeat} builds: {statistics.median(times):.2f}s")
    for article, sentence, reason in result.uncovered:
        print(f"  not covered by a claim ({article}): {sentence!r} — {reason}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .build import assemble_and_check

    result = assemble_and_check(settings_from(args))
    print(f"valid: {result.counts['Claim']} claims, {result.counts['EvidenceSpan']} spans, "
          "SHACL conforms, no OWL 2 RL inconsistency")
    return 0


def _query(args: argparse.Namespace) -> int:
    from .query import load_store, read_query, render, run

    settings = settings_from(args)
    store = load_store(settings)
    try:
        result = run(store, settings, read_query(args.sparql))
    except SyntaxError as exc:
        print(f"error: malformed query: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(result, args.format))
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser with every built-in and contributed sub-command."""
    root = argparse.ArgumentParser(prog="dprk-kg", description=__doc__.splitlines()[0])
    sub = root.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build, reason, validate and write the artefacts")
    add_settings_arguments(p)
    p.add_argument("--repeat", type=int, default=1, help="build N times and report the median")
    p.set_defaults(func=_build)

    p = sub.add_parser("validate", help="check annotations, quotes, reasoning and SHACL only")
    add_settings_arguments(p)
    p.set_defaults(func=_validate)

    p = sub.add_parser("query", help="run a SPARQL query (string or .rq file) on the build")
    add_settings_arguments(p)
    p.add_argument("sparql", help="a SPARQL query, or the path of a .rq file")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=_query)

    from .publish import register as register_publish

    register_publish(sub)

    for ep in sorted(entry_points(group="dprk_kg.commands"), key=lambda e: e.name):
        ep.load()(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dprk-kg`` console script."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BuildError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. a full disk while writing artefacts (old ones stay in place)
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot read or write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
