"""Claims with their claimant, source and verbatim evidence, ready for display."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .data import DKG, labels, select, values
from .iris import article_span_url, page_url


@dataclass(frozen=True)
class Ref:
    """A resource to link to: its IRI, label and public URL (None when not browsable here)."""

    iri: str
    label: str
    url: str | None

    @classmethod
    def of(cls, iri: str, names: dict[str, str]) -> Ref:
        """Build from an IRI and a label table."""
        return cls(iri, names.get(iri, iri), page_url(iri) or _external(iri))


def _external(iri: str) -> str | None:
    return iri if iri.startswith("http://www.wikidata.org/entity/") else None


@dataclass(frozen=True)
class Quote:
    """A verbatim evidence span and where it is highlighted in its article."""

    exact: str
    start: int
    end: int
    url: str | None


@dataclass
class ClaimCard:
    """One claim as shown on a page."""

    claim: Ref
    statement: str
    claimant: Ref | None = None
    source: Ref | None = None
    quotes: list[Quote] = field(default_factory=list)
    relations: set[str] = field(default_factory=set)
    """How the claim relates to the page's resource: ``claimant``, ``about``, ``mentions``."""


CLAIM_DETAILS = """
  OPTIONAL { ?claim dkg:statement ?statement }
  OPTIONAL { ?claim dkg:claimant ?claimant }
  OPTIONAL { ?claim dkg:statedIn ?source }
  OPTIONAL { ?claim dkg:hasEvidence ?span .
             ?span oa:hasSource ?article ; oa:hasSelector ?qs, ?ps .
             ?qs a oa:TextQuoteSelector ; oa:exact ?exact .
             ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
"""


def claims_linked_to(
    targets: Iterable[str], relations: Iterable[str] = ("claimant", "about", "mentions")
) -> dict[str, list[ClaimCard]]:
    """Claims whose ``relation`` (claimant/about/mentions) is one of ``targets``, by target IRI."""
    targets = list(targets)
    if not targets:
        return {}
    rels = " ".join(f"dkg:{r}" for r in relations)
    rows = select(
        f"""SELECT ?target ?rel ?claim ?statement ?claimant ?source ?exact ?start ?end ?article WHERE {{
  {values("target", targets)}
  VALUES ?rel {{ {rels} }}
  ?claim ?rel ?target ; a dkg:Claim .
  {CLAIM_DETAILS}
}}"""
    )
    return _cards(rows, by="target")


def claims_by_iri(claims: Iterable[str]) -> dict[str, list[ClaimCard]]:
    """The given claims themselves (keyed by their own IRI)."""
    claims = list(claims)
    if not claims:
        return {}
    rows = select(
        f"""SELECT ?claim ?statement ?claimant ?source ?exact ?start ?end ?article WHERE {{
  {values("claim", claims)} ?claim a dkg:Claim .
  {CLAIM_DETAILS}
}}"""
    )
    return _cards(rows, by="claim")


def _cards(rows: list[dict], by: str) -> dict[str, list[ClaimCard]]:
    names = labels(
        {r[k].value for r in rows for k in ("claim", "claimant", "source") if k in r and r[k].is_iri}
    )
    cards: dict[tuple[str, str], ClaimCard] = {}
    for row in rows:
        claim = row["claim"].value
        key = (row[by].value, claim)
        card = cards.get(key)
        if card is None:
            card = cards[key] = ClaimCard(
                Ref.of(claim, names),
                row["statement"].value if "statement" in row else names.get(claim, claim),
                Ref.of(row["claimant"].value, names) if "claimant" in row else None,
                Ref.of(row["source"].value, names) if "source" in row else None,
            )
        if "rel" in row:
            card.relations.add(row["rel"].value.removeprefix(DKG))
        if "exact" in row:
            start, end = row["start"].as_int(), row["end"].as_int()
            quote = Quote(row["exact"].value, start, end, article_span_url(row["article"].value, start, end))
            if quote not in card.quotes:
                card.quotes.append(quote)
    grouped: dict[str, list[ClaimCard]] = {}
    for (target, _), card in sorted(cards.items(), key=lambda kv: (kv[0][0], _position(kv[1]))):
        grouped.setdefault(target, []).append(card)
    return grouped


def _position(card: ClaimCard) -> tuple[int, str]:
    start = min((q.start for q in card.quotes), default=1 << 30)
    return (start, card.claim.iri)
