"""Read the build artefacts the server depends on (see docs/contract.md)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATASET = "dataset.nq"
MANIFEST = "manifest.json"
VOID = "void.ttl"
WHOLE_DATASET_FILES = {"nquads": DATASET, "trig": "dataset.trig"}
"""Files holding the whole dataset, by download format (``server/formats.py`` keys)."""


class ArtefactsMissing(RuntimeError):
    """The build directory lacks a file the server needs."""


class ArtefactsCorrupt(ArtefactsMissing):
    """A file of the build does not match the checksum its manifest records."""


@dataclass(frozen=True)
class Artefacts:
    """The parts of a build the endpoint uses."""

    build_dir: Path
    manifest: dict[str, Any]
    manifest_sha256: str

    @classmethod
    def load(cls, build_dir: Path) -> Artefacts:
        """Read ``manifest.json`` and check that ``dataset.nq`` exists."""
        build_dir = Path(build_dir)
        for name in (DATASET, MANIFEST):
            if not (build_dir / name).is_file():
                raise ArtefactsMissing(
                    f"{build_dir / name} is missing: run `dprk-kg build` (or `dprk-kg serve`)."
                )
        raw = (build_dir / MANIFEST).read_bytes()
        try:
            manifest = json.loads(raw)
        except ValueError as exc:
            raise ArtefactsCorrupt(
                f"{build_dir / MANIFEST} is not valid JSON ({exc}): rebuild with `dprk-kg build`."
            ) from exc
        if not isinstance(manifest, dict) or not isinstance(manifest.get("base"), str):
            raise ArtefactsCorrupt(f"{build_dir / MANIFEST} has no `base`: rebuild with `dprk-kg build`.")
        return cls(build_dir, manifest, hashlib.sha256(raw).hexdigest())

    def verify(self) -> None:
        """Check every served file against the SHA-256 in ``manifest.json`` (raise ArtefactsCorrupt).

        Catches a truncated, overwritten or half-copied ``dataset.nq`` before anything is served;
        the other listed files are checked too, since ``/store`` streams them as they are.
        """
        recorded = self.manifest.get("files") or {}
        for name in sorted(recorded):
            expected = recorded.get(name)
            path = self.build_dir / name
            if expected is None or not path.is_file():
                continue
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            if digest.hexdigest() != expected:
                raise ArtefactsCorrupt(
                    f"{path} does not match the checksum in {MANIFEST} (truncated or altered?): "
                    "rebuild with `dprk-kg build`."
                )

    @property
    def base(self) -> str:
        """The dataset's base IRI (ends with '/')."""
        return self.manifest["base"]

    def graph(self, name: str) -> str:
        """IRI of the named graph ``name`` (ontology, asserted, inferred)."""
        return f"{self.base}graph/{name}"

    @property
    def default_graphs(self) -> tuple[str, str]:
        """The graphs whose union is the SPARQL default graph."""
        return (self.graph("asserted"), self.graph("inferred"))

    @property
    def graph_counts(self) -> dict[str, int]:
        """Triple count per named graph, from the manifest."""
        return {iri: int(n) for iri, n in self.manifest.get("graphs", {}).items()}

    def download_file(self, target: str, fmt_key: str) -> tuple[Path, str] | None:
        """The artefact file that is exactly the download ``target`` in format ``fmt_key``, with
        its SHA-256 from the manifest; None when no file is (``DEFAULT``, other formats).

        ``target`` is ``ALL``, ``DEFAULT`` or a named graph IRI (as on ``/store``).
        """
        name = WHOLE_DATASET_FILES.get(fmt_key) if target == "ALL" else None
        if fmt_key == "turtle":
            for graph in ("asserted", "inferred", "ontology"):
                if target == self.graph(graph):
                    name = f"{graph}.ttl"
        digest = (self.manifest.get("files") or {}).get(name) if name else None
        path = self.build_dir / name if name else None
        if digest is None or path is None or not path.is_file():
            return None
        return path, digest

    @property
    def dataset_path(self) -> Path:
        """The N-Quads file loaded into the store."""
        return self.build_dir / DATASET

    def void_turtle(self) -> str | None:
        """The build's VoID description, if any."""
        path = self.build_dir / VOID
        return path.read_text(encoding="utf-8") if path.is_file() else None
