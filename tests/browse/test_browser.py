"""Headless Chromium against a live server: the pages work in a real browser.

Every request the pages make is watched: anything leaving the loopback server (a CDN, an
online vocabulary service) is blocked and fails the test. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from conftest import npm_installed  # noqa: E402

pytestmark = pytest.mark.browser
ARTICLE = "000_24d540ed9a0fd9f0"


@pytest.fixture
def offline(page: Any, live_url: str) -> list[str]:
    """Block (and record) every request that does not go to the live server."""
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(live_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    return outside


@pytest.fixture
def yasgui_installed() -> None:
    import os

    if not npm_installed():
        if os.environ.get("CI"):
            pytest.fail("node_modules/@zazuko/yasgui is missing: CI must run `npm ci`")
        pytest.skip("YASGUI not installed: run `npm ci` in the repository root")


def test_query_page_runs_a_query_and_shows_rows(
    page: Any, live_url: str, offline: list[str], artifacts: Path, yasgui_installed: None
) -> None:
    page.goto(live_url)
    page.wait_for_selector(".yasqe .CodeMirror")
    query = (
        "PREFIX dkg: <https://dprk-kg.example.org/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?state ?label WHERE { ?state a dkg:State ; rdfs:label ?label } ORDER BY ?label"
    )
    page.evaluate("q => { window.yasgui.getTab().setQuery(q); }", query)
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=20_000)
    assert rows.count() >= 5
    assert "North Korea" in page.locator(".yasr table").inner_text()
    page.screenshot(path=str(artifacts / "query-page.png"), full_page=True)
    assert page.errors == [] and offline == []  # type: ignore[attr-defined]


def test_competency_query_opens_as_a_tab(
    page: Any, live_url: str, offline: list[str], yasgui_installed: None
) -> None:
    page.goto(live_url)
    page.wait_for_selector(".yasqe .CodeMirror")
    examples = page.locator("a.example")
    if examples.count() == 0:
        pytest.skip("no queries/*.rq yet")
    name = examples.first.get_attribute("data-example")
    examples.first.click()
    assert page.evaluate("() => window.yasgui.getTab().getName()") == name
    assert "SELECT" in page.evaluate("() => window.yasgui.getTab().getQuery()").upper()
    assert offline == []


def test_entity_quote_leads_to_the_highlighted_span(
    page: Any, live_url: str, offline: list[str], artifacts: Path
) -> None:
    page.goto(f"{live_url}entity/ukrainian-intelligence")
    page.screenshot(path=str(artifacts / "entity-page.png"), full_page=True)
    quote = page.locator("#claims-made blockquote.quote a").first
    exact = quote.inner_text().strip().strip("“”")
    href = quote.get_attribute("href")
    assert href and f"/article/{ARTICLE}#span-" in href
    quote.click()
    page.wait_for_url(f"**/article/{ARTICLE}#span-*")
    current = page.locator("#text mark.current")
    current.first.wait_for()
    highlighted = "".join(current.all_inner_texts())
    assert highlighted == exact
    assert current.first.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(243, 156, 18)"
    key = href.rsplit("#span-", 1)[1]
    info = page.locator(f'.span-info[data-span="{key}"]')
    assert info.is_visible()
    assert exact in info.inner_text()
    page.screenshot(path=str(artifacts / "article-span.png"))
    assert page.errors == [] and offline == []  # type: ignore[attr-defined]


def test_clicking_a_highlight_shows_its_claims_and_entities(
    page: Any, live_url: str, offline: list[str]
) -> None:
    page.goto(f"{live_url}article/{ARTICLE}")
    mark = page.locator('#text mark[data-spans~="187-296"]').first
    mark.click()
    visible = page.locator(".span-info:not([hidden])")
    assert visible.count() >= 1
    text = " ".join(visible.all_inner_texts())
    assert "25,000 to 30,000" in text
    assert "#span-" in page.url
    assert offline == []


def test_query_this_runs_a_describe(
    page: Any, live_url: str, offline: list[str], artifacts: Path, yasgui_installed: None
) -> None:
    page.goto(f"{live_url}entity/russia")
    page.click("a.query-this")
    page.wait_for_function("() => window.yasgui && window.yasgui.getTab()")
    assert "DESCRIBE <https://dprk-kg.example.org/entity/russia>" in page.evaluate(
        "() => window.yasgui.getTab().getQuery()"
    )
    page.wait_for_function("() => window.yasgui.getTab().getYasr().results !== undefined", timeout=20_000)
    assert "<https://dprk-kg.example.org/entity/russia>" in page.evaluate(
        "() => window.yasgui.getTab().getYasr().results.getOriginalResponseAsString()"
    )
    page.screenshot(path=str(artifacts / "query-this.png"))
    assert offline == []


def test_graph_view_arrows_open_their_evidence(
    page: Any, live_url: str, offline: list[str], artifacts: Path
) -> None:
    page.goto(f"{live_url}graph")
    arrows = page.locator("svg#flowgraph a.flow")
    assert arrows.count() == 13
    box = page.locator("svg#flowgraph").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 300
    page.screenshot(path=str(artifacts / "graph-view.png"), full_page=True)
    target = arrows.filter(has_text="troops").first
    slug = target.get_attribute("data-flow")
    target.click()
    details = page.locator(f"details#{slug}")
    assert details.get_attribute("open") is not None
    assert details.locator("blockquote.quote").count() >= 1
    assert "current" in (target.get_attribute("class") or "")
    page.screenshot(path=str(artifacts / "graph-evidence.png"))
    assert page.errors == [] and offline == []  # type: ignore[attr-defined]


def test_timeline_renders(page: Any, live_url: str, offline: list[str], artifacts: Path) -> None:
    page.goto(f"{live_url}timeline")
    assert page.locator("ol.timeline li").count() >= 8
    assert page.locator("ol.timeline li.inferred").count() >= 3
    page.screenshot(path=str(artifacts / "timeline.png"), full_page=True)
    assert offline == []
