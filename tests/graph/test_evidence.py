"""Every claim is traceable: claimant, source, article and a verbatim span at its offsets."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph.namespaces import DKG, OA, SCHEMA, SKOS, WD

DATA = Path(__file__).resolve().parent.parent / "data"


def _text(asserted) -> str:
    return str(next(asserted.objects(None, DKG.text)))


def test_every_quote_sits_at_its_offsets(built):
    asserted = built[1].graphs["asserted"]
    text = _text(asserted)
    spans = list(asserted.subjects(RDF.type, DKG.EvidenceSpan))
    assert len(spans) > 100
    for span in spans:
        selectors = list(asserted.objects(span, OA.hasSelector))
        exact = next(str(o) for s in selectors for o in asserted.objects(s, OA.exact))
        start = next(int(o) for s in selectors for o in asserted.objects(s, OA.start))
        end = next(int(o) for s in selectors for o in asserted.objects(s, OA.end))
        assert text[start:end] == exact, span
        assert str(span).endswith(f"/{start}-{end}")


def test_every_claim_has_claimant_source_article_and_evidence(built):
    asserted = built[1].graphs["asserted"]
    claims = list(asserted.subjects(RDF.type, DKG.Claim))
    assert len(claims) >= 40
    for claim in claims:
        for prop in (DKG.claimant, DKG.statedIn, DKG.reportedIn, DKG.hasEvidence, DKG.about):
            assert asserted.value(claim, prop) is not None, (claim, prop)


def test_rival_artillery_shares_stay_separate_claims_with_their_claimants(select):
    found = select("""
        PREFIX dkg: <https://dprk-kg.example.org/ontology#>
        PREFIX schema: <https://schema.org/>
        PREFIX entity: <https://dprk-kg.example.org/entity/>
        SELECT ?claimant ?value ?source WHERE {
          ?c dkg:value ?v ; dkg:claimant ?claimant ; dkg:statedIn ?source .
          ?v dkg:measure entity:north-korean-share-of-russian-artillery ; schema:value ?value .
        } ORDER BY ?value""")
    assert [(r["claimant"].rsplit("/", 1)[1], r["value"]) for r in found] == [
        ("ukrainian-intelligence", "60"),
        ("south-korea", "70"),
    ]
    assert found[0]["source"] != found[1]["source"]


def test_quantities_are_typed_with_units_ranges_and_hedges(built):
    asserted = built[1].graphs["asserted"]
    base = "https://dprk-kg.example.org/claim/000_24d540ed9a0fd9f0/"
    planned = URIRef(base + "additional-troops-planned/value")
    assert asserted.value(planned, SCHEMA.minValue) == Literal(25000, datatype=XSD.integer)
    assert asserted.value(planned, SCHEMA.maxValue) == Literal(30000, datatype=XSD.integer)
    assert asserted.value(planned, SCHEMA.unitText) == Literal("soldiers")
    casualties = URIRef(base + "casualties-4000/value")
    assert asserted.value(casualties, DKG.hedge) == DKG.Approximately
    containers = URIRef(base + "containers-15000/value")
    assert asserted.value(containers, DKG.hedge) == DKG.MoreThan
    money = URIRef(base + "money-200-million/value")
    assert (money, RDF.type, DKG.MoneyAmount) in asserted
    assert asserted.value(money, SCHEMA.currency) == Literal("USD")
    assert asserted.value(money, SCHEMA.value) == Literal(200000000, datatype=XSD.integer)


def test_dates_keep_their_precision_and_resolved_dates_their_wording(built):
    asserted = built[1].graphs["asserted"]
    event = URIRef("https://dprk-kg.example.org/event/")
    assert asserted.value(URIRef(event + "north-korean-deployment-2024-11"), DKG.date) == Literal(
        "2024-11", datatype=XSD.gYearMonth
    )
    call = URIRef(event + "kim-putin-phone-call-2025-08-13")
    assert asserted.value(call, DKG.date) is None
    assert asserted.value(call, DKG.inferredDate) == Literal("2025-08-13", datatype=XSD.date)
    assert str(asserted.value(call, DKG.dateWording)) == "on Wednesday"
    assert asserted.value(call, DKG.dateBasis) is not None
    article = URIRef("https://dprk-kg.example.org/article/000_24d540ed9a0fd9f0")
    assert asserted.value(article, DKG.inferredDate) == Literal("2025-08-15", datatype=XSD.date)


def test_sources_are_the_article_and_each_cited_document_attributed_to_its_actor(select):
    found = select("09-sources.rq")
    by_source = {r["source"]: r["attributedTo"] for r in found}
    assert len(by_source) == 13
    assert (
        by_source["Putin's letter to Kim Jong Un on the anniversary of Korea's liberation (August 2025)"]
        == "Vladimir Putin"
    )
    assert "South Korean estimates of North Korean weapons shipments to Russia" in by_source
    claimants = {
        r["c"]
        for r in select(
            "PREFIX dkg: <https://dprk-kg.example.org/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT DISTINCT ?c WHERE { ?x dkg:claimant/rdfs:label ?c }"
        )
    }
    # Every source the seed notes list is a claimant (KCNA stands for "North Korean state media").
    for name in (
        "North Korean state media (KCNA)",
        "Ukrainian intelligence",
        "Western officials",
        "Vyacheslav Volodin",
        "Kim Jong Un",
        "Vladimir Putin",
        "North Korea",
        "Samuel Paparo",
        "South Korea",
        "South Korean intelligence",
    ):
        assert name in claimants, name


def test_verified_wikidata_rows_are_linked_and_unknown_rows_are_not(built):
    asserted = built[1].graphs["asserted"]
    labels = {}
    for node, _, label in asserted.triples(
        (None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None)
    ):
        labels.setdefault(str(label), set()).add(node)
    for node, _, alt in asserted.triples((None, SKOS.altLabel, None)):
        labels.setdefault(str(alt), set()).add(node)
    with open(DATA / "qids.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    linked = set(asserted.objects(None, SKOS.exactMatch))
    ontology = built[1].graphs["ontology"]
    # Class rows may be linked as kinds (skos:broadMatch) or from ontology classes.
    class_links = (
        linked
        | set(asserted.objects(None, SKOS.broadMatch))
        | set(ontology.objects(None, SKOS.exactMatch))
        | set(ontology.objects(None, SKOS.broadMatch))
    )
    for row in rows:
        if row["status"] == "verified":
            pool = class_links if row["kind"] == "class" else linked
            assert WD[row["qid"]] in pool, row["label"]
        else:
            assert not row["qid"]
    # Unknown rows with an entity of that name carry no exactMatch at all.
    for row in rows:
        if row["status"] == "unknown":
            for node in labels.get(row["label"], ()):
                assert asserted.value(node, SKOS.exactMatch) is None, row["label"]
    assert max(Counter(asserted.subject_objects(SKOS.exactMatch)).values()) == 1


def test_unlinked_entities_are_listed_by_a_query(select):
    found = {r["label"] for r in select("06-not-linked-to-wikidata.rq")}
    assert {"Vyacheslav Volodin", "KN-23", "Mikoyan MiG-29", "State Duma", "Samuel Paparo"} <= found
    assert "Russia" not in found and "Kim Jong Un" not in found
