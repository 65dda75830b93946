"""Several articles build into one graph: shared entities are one node, provenance is per article."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.build import build
from graph.config import PROJECT_ROOT, Settings
from graph.query import load_store, rows, run

SECOND = Path(__file__).resolve().parent.parent / "data" / "second-article"


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory: pytest.TempPathFactory):
    """The seed article plus the test article, built together."""
    seeds = tmp_path_factory.mktemp("multi") / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    for name in ("001_test_conflict.txt", "001_test_conflict.yaml"):
        shutil.copy(SECOND / name, seeds / name)
    with open(seeds / "entities.yaml", "a", encoding="utf-8") as registry:
        registry.write((SECOND / "entities-extra.yaml").read_text(encoding="utf-8"))
    settings = Settings.from_env(seeds_dir=seeds, out_dir=seeds.parent / "out")
    result = build(settings)
    store = load_store(settings)

    def select(query: str) -> list[dict[str, str]]:
        text = (PROJECT_ROOT / "queries" / query).read_text() if query.endswith(".rq") else query
        header, body = rows(run(store, settings, text))
        return [dict(zip(header, r, strict=True)) for r in body]

    return result, select


PREFIXES = """PREFIX dkg: <https://dprk-kg.example.org/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX entity: <https://dprk-kg.example.org/entity/>
"""


def test_both_articles_are_built(two_articles):
    result, _ = two_articles
    assert result.counts["articles"] == 2


def test_a_repeated_actor_is_one_node_mentioned_in_both_articles(two_articles):
    _, select = two_articles
    found = select(
        PREFIXES
        + """
        SELECT DISTINCT ?article WHERE { entity:russia dkg:mentionedAt/oa:hasSource ?article }
        ORDER BY ?article"""
    )
    assert [r["article"].rsplit("/", 1)[1] for r in found] == ["000_24d540ed9a0fd9f0", "001_test_conflict"]
    same_label = select(
        """SELECT DISTINCT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Russia"@en }"""
    )
    assert len(same_label) == 1


def test_provenance_stays_per_article(two_articles):
    _, select = two_articles
    found = select(
        PREFIXES
        + """
        SELECT ?article (COUNT(?c) AS ?claims) WHERE { ?c dkg:reportedIn ?article } GROUP BY ?article
        ORDER BY ?article"""
    )
    assert [(r["article"].rsplit("/", 1)[1], r["claims"]) for r in found] == [
        ("000_24d540ed9a0fd9f0", "41"),
        ("001_test_conflict", "1"),
    ]
    spans = select(
        PREFIXES
        + """
        SELECT ?span WHERE { <https://dprk-kg.example.org/claim/001_test_conflict/troops-12000>
                             dkg:hasEvidence ?span . ?span oa:hasSource ?a .
                             FILTER(STRENDS(STR(?a), "001_test_conflict")) }"""
    )
    assert len(spans) == 1


def test_the_conflicting_troop_count_is_found_by_the_disagreement_query(two_articles):
    _, select = two_articles
    rows_ = [r for r in select("05-disagreements.rq") if r["measure"] == "number of troops deployed"]
    pairs = {(r["claimantA"], r["valueA"], r["claimantB"], r["valueB"]) for r in rows_}
    assert any(
        {"11000", "12000"} == {a, b} and "South Korean intelligence" in (ca, cb) for ca, a, cb, b in pairs
    ), pairs
    # the seed article's own two 11,000 claims agree, so they are not reported
    assert not any(a == b for _, a, _, b in pairs)


def test_a_sentence_left_uncovered_is_reported_with_its_reason(two_articles):
    result, _ = two_articles
    assert (
        "001_test_conflict",
        "Russia did not comment.",
        "A non-statement; it asserts nothing about the world.",
    ) in result.uncovered
    assert not [u for u in result.uncovered if u[0] == "000_24d540ed9a0fd9f0"]
