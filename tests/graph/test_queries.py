"""Every competency question in queries/ returns its expected answers."""

from __future__ import annotations

from graph.config import PROJECT_ROOT


def test_there_are_at_least_twelve_competency_queries():
    assert len(list((PROJECT_ROOT / "queries").glob("*.rq"))) >= 12


def test_deployments_with_numbers_places_dates_and_claimants(select):
    found = select("01-deployments.rq")
    first = [r for r in found if r["deployment"].endswith("north-korean-deployment-2024-11")]
    assert {(r["claimant"], r["troops"]) for r in first} == {
        ("Publisher of article 000_24d540ed9a0fd9f0 (unidentified)", "11000"),
        ("Western officials", "11000"),
    }
    assert all(r["places"] == "Kursk Oblast, Russia" and r["date"] == "2024-11" for r in first)
    planned = [r for r in found if r["deployment"].endswith("north-korean-deployment-additional")]
    assert [(r["troopsMin"], r["troopsMax"], r["status"]) for r in planned] == [("25000", "30000", "Planned")]


def test_russia_to_north_korea_with_what_it_is_in_exchange_for(select):
    found = select("02-russia-to-north-korea.rq")
    items = {r["item"] for r in found}
    assert items == {
        "drone production capability",
        "Mikoyan MiG-29",
        "Sukhoi Su-27",
        "money",
        "rice",
        "assistance with launching military reconnaissance satellites",
        "blueprints for Shahed-type drones",
        "advanced space technology",
    }
    exchanged = {r["item"] for r in found if r["inExchangeFor"] == "North Korean military support to Russia"}
    assert {"Mikoyan MiG-29", "money", "rice", "advanced space technology"} <= exchanged
    jets = [r for r in found if r["item"] == "Mikoyan MiG-29"]
    assert jets[0]["claimant"] == "Samuel Paparo" and jets[0]["status"] == "Agreed"


def test_north_korea_to_russia_with_numbers(select):
    found = select("03-north-korea-to-russia.rq")
    values = {
        (r["measure"], r["amount"] or f"{r['amountMin']}-{r['amountMax']}", r["claimant"])
        for r in found
        if r["measure"]
    }
    assert ("number of containers of weapons shipped", "15000", "South Korea") in values
    assert ("number of artillery shells shipped", "9000000", "South Korea") in values
    assert ("number of launchers shipped", "200-999", "South Korea") in values
    assert (
        "share of Russian artillery use supplied by North Korea",
        "60",
        "Ukrainian intelligence",
    ) in values


def test_every_claim_of_a_claimant(select):
    found = select("04-claims-of-a-claimant.rq")
    assert [r["claim"].rsplit("/", 1)[1] for r in found] == [
        "shells-60-percent-north-korean",
        "shells-30-percent-russian",
        "drone-production-agreements",
        "shahed-blueprints",
    ]
    assert (
        found[0]["quote"] == "60% of artillery shells fired by Russian forces recently were North Korean-made"
    )


def test_disagreements_on_a_quantity_and_on_a_date(select):
    found = select("05-disagreements.rq")
    summary = {(r["measure"], frozenset((r["valueA"], r["valueB"]))) for r in found}
    assert ("share of Russian artillery use supplied by North Korea", frozenset({"60", "70"})) in summary
    assert (
        "date Putin's letter was issued or made public",
        frozenset({"2025-08-12", "2025-08-15"}),
    ) in summary
    assert len(found) == 2


def test_kim_jong_un_with_evidence(select):
    found = select("07-kim-jong-un.rq")
    roles = {r["role"] for r in found}
    assert roles == {
        "made the claim",
        "named in the claim",
        "took part in the event",
        "addressee of the source",
    }
    made = {r["quote"] for r in found if r["role"] == "made the claim"}
    assert "the Korean Peninsula being the front line in a new Cold War" in made


def test_what_the_reasoner_added(select):
    found = {(r["subject"], r["property"], r["object"]) for r in select("08-what-the-reasoner-added.rq")}
    assert ("Deployment of North Korean troops to Russia (November 2024)", "location", "Russia") in found
    assert ("North Korea", "deployedTroopsTo", "Russia") in found
    assert ("Russia", "supplied", "North Korea") in found


def test_timeline_marks_resolved_dates(select):
    found = {r["event"]: r for r in select("10-timeline.rq")}
    call = found["Phone call between Kim Jong Un and Vladimir Putin"]
    assert (call["date"], call["inferred"], call["wording"]) == ("2025-08-13", "true", "on Wednesday")
    treaty = found["Russia–North Korea mutual defence treaty (June 2024)"]
    assert (treaty["date"], treaty["inferred"]) == ("2024-06", "false")


def test_who_supplied_whom(select):
    found = {(r["supplier"], r["recipient"]): int(r["transfers"]) for r in select("11-who-supplied-whom.rq")}
    assert found == {("North Korea", "Russia"): 4, ("Russia", "North Korea"): 7}


def test_casualties_with_claimant_and_report(select):
    found = select("12-casualties.rq")
    assert [(r["casualties"], r["hedge"], r["claimant"]) for r in found] == [
        ("4000", "Approximately", "Western officials")
    ]
    assert found[0]["source"] == "Ukrainian intelligence reports on North Korean casualties in Kursk Oblast"


def test_wikidata_links_and_kinds(select):
    links = {r["label"]: r["wikidata"] for r in select("13-wikidata-links.rq")}
    assert links["Kim Jong Un"] == "http://www.wikidata.org/entity/Q56226"
    assert links["Kursk Oblast"] == "http://www.wikidata.org/entity/Q3178"
    assert "KN-23" not in links
    kinds = {(r["item"], r["wikidataClass"]) for r in select("14-kinds-of-items.rq")}
    assert ("Mikoyan MiG-29", "http://www.wikidata.org/entity/Q127771") in kinds
    assert ("KN-23", "http://www.wikidata.org/entity/Q974850") in kinds
