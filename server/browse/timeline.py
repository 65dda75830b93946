"""The timeline: dated events and documents, stated and inferred dates told apart."""

from __future__ import annotations

from dataclasses import dataclass

from .claims import Ref
from .data import DKG, labels, select

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Entry:
    """One dated thing on the timeline."""

    ref: Ref
    kind: str
    """``event`` or ``document``."""
    cls: str
    date: str
    """The lexical date (``2024``, ``2024-11``, ``2024-11-05``)."""
    inferred: bool
    wording: str | None
    basis: str | None
    since: bool = False
    """True for a start date (``since …``)."""

    @property
    def year(self) -> str:
        """The year, for grouping."""
        return self.date[:4]

    @property
    def display(self) -> str:
        """The date at its own precision: ``2024``, ``Nov 2024``, ``5 Nov 2024``."""
        parts = self.date.split("-")
        try:
            if len(parts) >= 3:
                return f"{int(parts[2][:2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
            if len(parts) == 2:
                return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
        except (ValueError, IndexError):
            return self.date
        return parts[0]


TIMELINE = """SELECT ?x ?date ?inferred ?since ?wording ?basis ?class ?isEvent WHERE {
  { ?x dkg:date ?date .
    BIND(EXISTS { ?x dkg:inferredDate ?date } AS ?inferred) BIND(false AS ?since) }
  UNION
  { ?x dkg:startDate ?date .
    BIND(EXISTS { ?x dkg:inferredStartDate ?date } AS ?inferred) BIND(true AS ?since) }
  { ?x a dkg:Event } UNION { ?x a dkg:Source }
  BIND(EXISTS { ?x a dkg:Event } AS ?isEvent)
  OPTIONAL { ?x dkg:dateWording ?wording }
  OPTIONAL { ?x dkg:dateBasis ?basis }
  GRAPH ?g { ?x a ?class } FILTER(STRSTARTS(STR(?class), STR(dkg:)))
}"""


def entries() -> list[Entry]:
    """Every dated event and source, oldest first (coarser dates before finer ones)."""
    rows = select(TIMELINE)
    names = labels({r["x"].value for r in rows})
    found: dict[tuple[str, str, bool], Entry] = {}
    for row in rows:
        key = (row["x"].value, row["date"].value, row["since"].value == "true")
        previous = found.get(key)
        cls = row["class"].value.removeprefix(DKG)
        if previous is not None and cls in {"Event", "Source", "Transfer"}:
            continue
        found[key] = Entry(
            Ref.of(key[0], names),
            "event" if row["isEvent"].value == "true" else "document",
            cls,
            key[1],
            row["inferred"].value == "true",
            row["wording"].value if "wording" in row else None,
            row["basis"].value if "basis" in row else None,
            key[2],
        )
    return sorted(found.values(), key=lambda e: (e.date, e.kind, e.ref.label))
