"""``dprk-kg serve``: build if stale, then serve the SPARQL endpoint.

Registered through the ``dprk_kg.commands`` entry point (``register``). Also runnable as
``python -m server.cli serve …``. Without ``--debug`` it runs Granian (a Rust HTTP server
with a WSGI interface): ``workers`` processes, each serving ``executors_per_worker`` requests
at a time in threads, each thread with its own lazily started query executor. With ``--debug``
Flask's development server.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import Any

from server.settings import Settings, settings_table

log = logging.getLogger("dprk_kg.serve")


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``serve`` sub-command to an argparse sub-parsers object."""
    defaults = Settings.from_env()
    parser = subparsers.add_parser(
        "serve",
        help="serve the SPARQL endpoint (builds first when the artefacts are stale)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=defaults.host, help="bind address (default %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port (default %(default)s)")
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="web server worker processes (default: CPU count = %(default)s)",
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=None,
        help="artefact directory (default: $DPRK_KG_BUILD or ./build)",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        default=defaults.store_url,
        help="answer from this remote SPARQL 1.1 query URL instead of in-process pyoxigraph "
        "(no build; updates refused; default: $DPRK_KG_STORE_URL)",
    )
    parser.add_argument("--debug", action="store_true", help="Flask development server")
    parser.add_argument(
        "--no-build", action="store_true", help="serve the artefacts as they are, even if stale"
    )
    parser.add_argument(
        "--help-settings",
        action="store_true",
        help="print every setting, its environment variable and default",
    )
    parser.set_defaults(func=serve)
    return parser


def _graph_settings(build_dir: Path) -> Any:
    from graph.config import Settings as GraphSettings

    return GraphSettings.from_env(out_dir=build_dir)


def ensure_built(settings: Settings) -> None:
    """Run the build when ``graph.build.is_stale`` says the artefacts are missing or old."""
    from graph import build as graph_build

    graph_settings = _graph_settings(settings.build_dir)
    if graph_build.is_stale(graph_settings):
        log.warning("artefacts in %s are stale: building", settings.build_dir)
        graph_build.build(graph_settings)


def serve(args: argparse.Namespace) -> int:
    """Entry of ``serve``; returns the process exit code."""
    if args.help_settings:
        print(settings_table())
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    overrides: dict[str, Any] = {"host": args.host, "port": args.port, "workers": args.workers}
    if args.build_dir is not None:
        overrides["build_dir"] = args.build_dir
    if args.store:
        overrides["store_url"] = args.store
    settings = Settings.from_env(**overrides)
    if settings.updates_enabled and settings.workers > 1:
        log.warning("updates are enabled: using 1 worker so that every request sees them")
        settings = dataclasses.replace(settings, workers=1)
    if not args.no_build and not settings.store_url:  # a remote store is loaded by its own tools
        try:
            ensure_built(settings)
        except Exception as exc:  # BuildError or a broken graph package: keep old artefacts
            log.error("build failed: %s", exc)
            if not (settings.build_dir / "dataset.nq").is_file():
                return 1
            log.warning("serving the previous artefacts")

    if not settings.store_url:
        from server.artefacts import Artefacts, ArtefactsMissing

        try:
            Artefacts.load(settings.build_dir).verify()
        except ArtefactsMissing as exc:  # nothing is served from a missing or damaged build
            log.error("cannot serve: %s", exc)
            return 1

    from server import create_app

    if args.debug:
        app = create_app(settings)
        app.run(host=settings.host, port=settings.port, debug=True, use_reloader=False)
        return 0
    run_granian(settings)
    return 0


def run_granian(settings: Settings) -> None:
    """Serve with Granian; each worker process creates the app from the settings it inherits.

    The settings travel as ``DPRK_KG_*`` environment variables (``Settings.to_env``), so a
    worker sees exactly what this process resolved from flags, environment and defaults.
    """
    import os

    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    os.environ.update(settings.to_env())
    Granian(
        "server.wsgi:create",
        factory=True,
        interface=Interfaces.WSGI,
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        blocking_threads=settings.executors_per_worker,
        respawn_failed_workers=True,
        workers_kill_timeout=10,
        http1_settings=HTTP1Settings(max_buffer_size=settings.max_header_bytes, header_read_timeout=10_000),
        log_access=False,
    ).serve()


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m server.cli serve``)."""
    parser = argparse.ArgumentParser(prog="dprk-kg")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
