"""Deployments and transfers between actors: the data of the graph view and entity pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from .claims import Ref
from .data import DKG, labels, select

STATUS_ORDER = ("Completed", "Ongoing", "Agreed", "Planned")
TENTATIVE = {"Agreed", "Planned"}


@dataclass
class Flow:
    """One deployment (deploying actor → host) or transfer (sender → recipient)."""

    event: Ref
    kind: str
    """``deployment`` or ``transfer``."""
    subtype: str
    """The most specific class name (``MunitionsTransfer``, ``Deployment`` …)."""
    source: Ref
    target: Ref
    items: list[Ref] = field(default_factory=list)
    forces: list[Ref] = field(default_factory=list)
    status: str | None = None
    date: str | None = None
    start_date: str | None = None

    @property
    def slug(self) -> str:
        """Stable fragment id of this flow in the graph view."""
        return "flow-" + self.event.iri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def tentative(self) -> bool:
        """True for agreed or planned flows (drawn dashed)."""
        return self.status in TENTATIVE


FLOWS = """SELECT ?event ?kind ?class ?from ?to ?item ?force ?status ?date ?start WHERE {
  { ?event a dkg:Deployment ; dkg:deployingActor ?from ; dkg:hostActor ?to .
    BIND("deployment" AS ?kind) OPTIONAL { ?event dkg:deployedForce ?force } }
  UNION
  { ?event a dkg:Transfer ; dkg:sender ?from ; dkg:recipient ?to .
    BIND("transfer" AS ?kind) OPTIONAL { ?event dkg:transferredItem ?item } }
  GRAPH ?g { ?event a ?class }
  FILTER(STRSTARTS(STR(?class), STR(dkg:)))
  OPTIONAL { ?event dkg:status ?status }
  OPTIONAL { ?event dkg:date ?date }
  OPTIONAL { ?event dkg:startDate ?start }
}"""

_DEPTH = {"Event": 0, "Deployment": 1, "Transfer": 1}


def _specific(current: str, candidate: str) -> str:
    return candidate if _DEPTH.get(candidate, 2) > _DEPTH.get(current, 2) else current


def all_flows() -> list[Flow]:
    """Every deployment and transfer with both ends, ordered by source, target and label."""
    rows = select(FLOWS)
    names = labels({t.value for r in rows for t in r.values() if t.is_iri})
    flows: dict[tuple[str, str, str], Flow] = {}
    for row in rows:
        key = (row["event"].value, row["from"].value, row["to"].value)
        flow = flows.get(key)
        cls = row["class"].value.removeprefix(DKG)
        if flow is None:
            flow = flows[key] = Flow(
                Ref.of(key[0], names),
                row["kind"].value,
                cls,
                Ref.of(key[1], names),
                Ref.of(key[2], names),
            )
        flow.subtype = _specific(flow.subtype, cls)
        for var, bucket in (("item", flow.items), ("force", flow.forces)):
            if var in row:
                ref = Ref.of(row[var].value, names)
                if ref not in bucket:
                    bucket.append(ref)
        if "status" in row:
            flow.status = row["status"].value.removeprefix(DKG)
        if "date" in row:
            flow.date = min(flow.date or row["date"].value, row["date"].value)
        if "start" in row:
            flow.start_date = row["start"].value
    return sorted(
        flows.values(),
        key=lambda f: (f.source.label, f.target.label, f.kind != "deployment", f.event.label),
    )
