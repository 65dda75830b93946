"""Every setting of the SPARQL endpoint, in one place.

Each field of :class:`Settings` carries its default, the environment variable that overrides
it (``DPRK_KG_*``) and a one-line description in its metadata. ``Settings.from_env()`` reads
the environment; ``dprk-kg serve --help-settings`` prints the table below from the same source,
and a test fails when a field lacks its documentation.

List-valued settings are comma-separated in the environment; an empty string means "none".
Booleans accept ``1/true/yes/on`` and ``0/false/no/off``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "DPRK_KG_"


PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(default: Any, doc: str, *, factory: bool = False, env: str | None = None) -> Any:
    """Declare a setting with its default, one-line documentation and optional env name."""
    metadata = {"doc": doc, **({"env": env} if env else {})}
    if factory:
        return field(default_factory=default, metadata=metadata)
    return field(default=default, metadata=metadata)


def _cpu_count() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    """Configuration of the endpoint (see the module docstring for conventions)."""

    build_dir: Path = _setting(
        PROJECT_ROOT / "build",
        "Directory with the build artefacts (dataset.nq, void.ttl, manifest.json); shared with "
        "`graph` (its `out_dir`).",
        env="DPRK_KG_BUILD",
    )
    host: str = _setting("127.0.0.1", "Interface `serve` binds to.")
    port: int = _setting(8080, "TCP port `serve` listens on.")
    workers: int = _setting(
        _cpu_count,
        "Web server (Granian) worker processes (forced to 1 when updates are enabled).",
        factory=True,
    )
    query_timeout: float = _setting(
        10.0, "Seconds a query may run; then its executor process is killed and 503 is answered."
    )
    max_result_rows: int = _setting(
        10_000, "Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned at most; more are cut."
    )
    max_request_bytes: int = _setting(
        1_048_576, "Largest accepted request body in bytes; larger requests get 413."
    )
    max_header_bytes: int = _setting(
        65_536,
        "Largest request line plus headers in bytes (so a GET query URL may be nearly this "
        "long); more gets 414 or 431.",
    )
    cache_bytes: int = _setting(
        64 * 1_048_576,
        "Memory bound of the per-worker result cache in bytes; the memo of whole /sparql responses "
        "in front of it (`server/response_cache.py`) gets a quarter of this on top (0 disables both).",
    )
    executors_per_worker: int = _setting(
        2,
        "Query executor processes per web worker; also its request threads, so each request "
        "being served has an executor of its own.",
    )
    cors_origins: tuple[str, ...] = _setting(
        ("*",), "Origins allowed by CORS on /sparql and downloads (`*` = any)."
    )
    service_allowlist: tuple[str, ...] = _setting(
        ("https://query.wikidata.org/sparql",),
        "Endpoints a query may federate into with SERVICE (exact IRIs; empty = none).",
    )
    allow_loopback_service: bool = _setting(
        False, "Allow SERVICE to loopback/private/link-local hosts (tests only; SSRF risk)."
    )
    public_base_url: str | None = _setting(
        None,
        "Public URL of the app root behind a proxy, e.g. https://kg.example.org/ "
        "(default: the request's URL).",
    )
    update_token: str | None = _setting(
        None, "Bearer token enabling SPARQL Update (None = updates refused with 403)."
    )
    store_url: str | None = _setting(
        None,
        "Query URL of a remote SPARQL 1.1 store to answer from instead of in-process pyoxigraph "
        "(`serve --store`; see server/remote.py). Updates are then refused.",
    )
    store_graph_store_url: str | None = _setting(
        None,
        "Graph Store Protocol URL of the remote store for /store downloads when the build has no "
        "dataset.nq (default: store_url with its last path segment replaced by `store`).",
    )
    queries_dir: Path = _setting(
        PROJECT_ROOT / "queries",
        "Directory of example queries (`*.rq`) offered on the query page; read on each request.",
    )
    node_modules_dir: Path = _setting(
        PROJECT_ROOT / "node_modules",
        "Where `npm ci` installed the front-end packages (YASGUI) served under /vendor/.",
    )

    @classmethod
    def env_name(cls, name: str) -> str:
        """Environment variable of the setting ``name``."""
        for f in fields(cls):
            if f.name == name and "env" in f.metadata:
                return f.metadata["env"]
        return ENV_PREFIX + name.upper()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then ``DPRK_KG_*`` variables, then ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(cls.env_name(f.name))
            if raw is not None:
                values[f.name] = _convert(f, raw)
        values.update(overrides)
        return cls(**values).normalised()

    def to_env(self) -> dict[str, str]:
        """Every setting as its ``DPRK_KG_*`` variable: ``from_env(to_env())`` gives ``self`` back.

        ``serve`` hands its settings to the web server's worker processes this way.
        """
        return {Settings.env_name(f.name): _unconvert(getattr(self, f.name)) for f in fields(self)}

    def normalised(self) -> Settings:
        """Return a copy with types coerced (paths, tuples, base URL ending in '/')."""
        base = self.public_base_url
        if base is not None and not base.endswith("/"):
            base += "/"
        return dataclasses.replace(
            self,
            build_dir=Path(self.build_dir),
            queries_dir=Path(self.queries_dir),
            node_modules_dir=Path(self.node_modules_dir),
            cors_origins=tuple(self.cors_origins),
            service_allowlist=tuple(self.service_allowlist),
            public_base_url=base,
        )

    @property
    def updates_enabled(self) -> bool:
        """True when an update token is configured."""
        return bool(self.update_token)


def _convert(f: dataclasses.Field[Any], raw: str) -> Any:
    kind = str(f.type)
    if kind == "Path":
        return Path(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"{Settings.env_name(f.name)}: not a boolean: {raw!r}")
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind == "str | None":
        return raw or None
    return raw


def _unconvert(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def settings_table() -> str:
    """Markdown table of every setting: name, env variable, default, description."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    defaults = Settings()
    for f in fields(Settings):
        default = getattr(defaults, f.name)
        if f.name == "workers":
            default = "CPU count"
        rows.append(f"| `{f.name}` | `{Settings.env_name(f.name)}` | `{default!r}` | {f.metadata['doc']} |")
    return "\n".join(rows)
