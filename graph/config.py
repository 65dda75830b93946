"""Build settings: where inputs and outputs live and which base the IRIs are minted under.

Every setting has a default and an environment variable; the command line overrides both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = "https://dprk-kg.example.org/"
REASONERS = ("auto", "owlrl", "fast")


@dataclass(frozen=True)
class Settings:
    """Inputs, outputs and the IRI base of one build."""

    #: Base of every data IRI and named graph (env ``DPRK_KG_BASE``); must end with ``/``.
    base: str = DEFAULT_BASE
    #: Folder with article ``.txt`` files, their ``.yaml`` annotations and ``entities.yaml``
    #: (env ``DPRK_KG_SEEDS``).
    seeds_dir: Path = field(default=PROJECT_ROOT / "seeds")
    #: Folder with ``dprk-kg.ttl`` (OWL) and ``shapes.ttl`` (SHACL) (env ``DPRK_KG_ONTOLOGY``).
    ontology_dir: Path = field(default=PROJECT_ROOT / "ontology")
    #: Folder the artefacts are written to (env ``DPRK_KG_BUILD``).
    out_dir: Path = field(default=PROJECT_ROOT / "build")
    #: OWL 2 RL reasoner (env ``DPRK_KG_REASONER``): ``owlrl`` (the reference, slow: ~10 s per
    #: 10k triples), ``fast`` (``graph/reason_fast.py``, same entailments, ~100k triples in a
    #: few seconds) or ``auto`` (default: owlrl below 20,000 input triples, fast above).
    reasoner: str = "auto"

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            raise ValueError(f"the IRI base must end with '/' or '#': {self.base!r}")
        if self.reasoner not in REASONERS:
            raise ValueError(f"reasoner must be one of {', '.join(REASONERS)}: {self.reasoner!r}")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``DPRK_KG_*`` environment variables, then explicit overrides (None = unset)."""
        env = {
            "base": os.environ.get("DPRK_KG_BASE"),
            "seeds_dir": os.environ.get("DPRK_KG_SEEDS"),
            "ontology_dir": os.environ.get("DPRK_KG_ONTOLOGY"),
            "out_dir": os.environ.get("DPRK_KG_BUILD"),
            "reasoner": os.environ.get("DPRK_KG_REASONER"),
        }
        env.update({k: v for k, v in overrides.items() if v is not None})
        values = {k: v for k, v in env.items() if v is not None}
        for key in ("seeds_dir", "ontology_dir", "out_dir"):
            if key in values:
                values[key] = Path(values[key])
        return replace(cls(), **values)

    def graph_iri(self, name: str) -> str:
        """IRI of the named graph ``name`` (ontology, asserted, inferred)."""
        return f"{self.base}graph/{name}"
