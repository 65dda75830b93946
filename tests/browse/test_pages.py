"""The HTML pages over the real dataset: what each shows and where its links lead."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))

from htmlscan import Scan  # noqa: E402

from server.browse.data import select  # noqa: E402

ARTICLE = "000_24d540ed9a0fd9f0"
HTML = {"Accept": "text/html"}


def get(client: FlaskClient, path: str) -> tuple[str, Scan]:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.data[:500])
    text = response.get_data(as_text=True)
    return text, Scan(text)


def test_entity_page_head(client: FlaskClient) -> None:
    html, scan = get(client, "/entity/russia")
    assert "<h1>Russia</h1>" in html
    assert scan.find("a", href="http://www.wikidata.org/entity/Q159")
    # dkg:State is asserted, dkg:Actor only entailed
    types = html.split('<ul class="types">')[1].split("</ul>")[0]
    assert re.search(r'ontology#State">State</span>\s*<span class="badge asserted"', types)
    assert re.search(r'ontology#Actor">Actor</span>\s*<span class="badge inferred"', types)
    assert "schema:Country" in types
    query_this = scan.find("a", class_="query-this")[0]["href"]
    assert parse_qs(urlsplit(query_this).query)["query"] == [
        "DESCRIBE <https://dprk-kg.example.org/entity/russia>"
    ]


def test_entity_page_groups_relations_by_meaning(client: FlaskClient) -> None:
    html, _ = get(client, "/entity/russia")
    for section in ("deployments", "transfers", "mentions"):
        assert f'id="{section}"' in html, section
    assert 'id="claims-about"' not in html  # no claim is about Russia itself
    deployments = html.split('id="deployments"')[1].split("</section>")[0]
    assert "Deployment of North Korean troops to Russia (November 2024)" in deployments
    assert "hostActor" in deployments
    transfers = html.split('id="transfers"')[1].split("</section>")[0]
    assert "MiG-29" in transfers and "rice" in transfers.lower()


def test_claims_made_show_claimant_source_and_quote_linking_to_the_span(client: FlaskClient) -> None:
    html, scan = get(client, "/entity/ukrainian-intelligence")
    made = html.split('id="claims-made"')[1].split("</section>")[0]
    assert "60% of artillery shells fired by Russian forces recently were North Korean-made" in made
    assert "Ukrainian intelligence reporting on the origin of artillery shells" in made  # the source
    links = [h for h in Scan(made).hrefs() if "#span-" in h]
    assert links, "quotes link to their spans"
    for href in links:
        assert re.fullmatch(rf"http://localhost/article/{ARTICLE}#span-\d+-\d+", href), href


def test_claims_about_an_entity(client: FlaskClient) -> None:
    html, _ = get(client, "/entity/russian-armed-forces")
    about = html.split('id="claims-about"')[1].split("</section>")[0]
    assert "compared to only 30% that were Russian-produced" in about
    assert "Ukrainian intelligence" in about


def test_entity_without_wikidata_says_not_linked_yet(client: FlaskClient) -> None:
    html, _ = get(client, "/event/russia-north-korea-treaty-2024")
    assert "not linked yet" in html
    assert "unknown" in html  # dkg:wikidataStatus


def test_claim_and_span_pages(client: FlaskClient) -> None:
    html, scan = get(client, f"/claim/{ARTICLE}/casualties-4000")
    assert "Western officials" in html
    assert f"/article/{ARTICLE}#span-1445-1541" in html
    html, scan = get(client, f"/span/{ARTICLE}/187-296")
    assert scan.find("a", class_="in-article", href=f"http://localhost/article/{ARTICLE}#span-187-296")


def test_article_view_highlights_every_span(client: FlaskClient) -> None:
    html, scan = get(client, f"/article/{ARTICLE}")
    spans = {(int(m[0]), int(m[1])) for m in re.findall(r'id="span-(\d+)-(\d+)"', html)}
    assert len(spans) >= 100
    assert (187, 296) in spans
    marks = scan.find("mark")
    covered = {key for m in marks for key in m["data-spans"].split()}
    assert {f"{s}-{e}" for s, e in spans} == covered
    assert any(len(m["data-spans"].split()) > 1 for m in marks), "overlapping spans share segments"
    info = {a["data-span"] for a in scan.find("section", class_="span-info")}
    assert info == covered


def test_article_text_is_intact(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    html, scan = get(client, f"/article/{ARTICLE}")
    with app.test_request_context():
        rows = select(f"SELECT ?t WHERE {{ <https://dprk-kg.example.org/article/{ARTICLE}> dkg:text ?t }}")
    assert "".join(scan.article_text) == rows[0]["t"].value


def test_article_segments_reassemble_each_quote(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    html, _ = get(client, f"/article/{ARTICLE}")
    body = html.split('id="text">')[1].split("</div>")[0]
    segments = re.findall(r'<mark data-spans="([^"]*)"[^>]*>(.*?)</mark>', body, flags=re.S)
    from html import unescape

    with app.test_request_context():
        rows = select(
            f"""SELECT ?start ?end ?exact WHERE {{
              ?s oa:hasSource <https://dprk-kg.example.org/article/{ARTICLE}> ; oa:hasSelector ?p, ?q .
              ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }}"""
        )
    for row in rows:
        key = f"{row['start'].value}-{row['end'].value}"
        joined = "".join(unescape(t) for keys, t in segments if key in keys.split())
        assert joined == row["exact"].value, key


def test_query_page(client: FlaskClient) -> None:
    html, scan = get(client, "/")
    assert scan.find("div", id="query-editor")
    scripts = [a["src"] for a in scan.find("script") if "src" in a]
    assert scripts and all(s.startswith("http://localhost/") for s in scripts), scripts
    links = [a["href"] for a in scan.find("link") if "href" in a]
    assert all(h.startswith("http://localhost/") for h in links)
    assert "http://localhost/store?format=trig" in html
    assert f"http://localhost/article/{ARTICLE}" in html
    assert '"endpoint": "http://localhost/sparql"' in html


def test_query_page_reads_queries_at_runtime(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_app(queries_dir=tmp_path).test_client()
    assert "No <code>queries/*.rq</code>" in client.get("/").get_data(as_text=True)
    (tmp_path / "01-x.rq").write_text("# Who is <b>here</b>?\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    html = client.get("/").get_data(as_text=True)
    assert 'data-example="01-x"' in html
    assert "Who is &lt;b&gt;here&lt;/b&gt;?" in html  # escaped
    assert "<b>here</b>" not in html


def test_query_page_without_npm_packages_says_how_to_install(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_app(node_modules_dir=tmp_path).test_client()
    html = client.get("/").get_data(as_text=True)
    assert 'id="not-installed"' in html and "npm ci" in html
    assert "yasgui.min.js" not in html
    assert client.get("/vendor/yasgui.min.js").status_code == 404


def test_vendor_route_serves_only_listed_files(client: FlaskClient) -> None:
    assert client.get("/vendor/package.json").status_code == 404
    assert client.get("/vendor/..%2Fpackage.json").status_code == 404


def test_graph_view_draws_one_arrow_per_flow(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    html, scan = get(client, "/graph")
    with app.test_request_context():
        flows = select(
            """SELECT DISTINCT ?e WHERE {
              { ?e a dkg:Deployment ; dkg:deployingActor [] ; dkg:hostActor [] }
              UNION { ?e a dkg:Transfer ; dkg:sender [] ; dkg:recipient [] } }"""
        )
    arrows = [a for t, a in scan.tags if t == "a" and "flow" in a.get("class", "").split()]
    assert len(arrows) == len(flows) == 13
    details = {a["id"] for a in scan.find("details")}
    assert {a["href"].lstrip("#") for a in arrows} == details
    assert "North Korea" in html and "Russia" in html
    assert "tentative" in html  # agreed/planned flows are dashed


def test_timeline_marks_inferred_dates_with_wording(client: FlaskClient) -> None:
    html, scan = get(client, "/timeline")
    call = html.split("Phone call between Kim Jong Un and Vladimir Putin")[1].split("</li>")[0]
    assert "inferred" in call and "on Wednesday" in call
    treaty = html.split("Russia–North Korea mutual defence treaty (June 2024)")
    assert len(treaty) > 1 and "badge inferred" not in treaty[1].split("</li>")[0]
    dates = [a["datetime"] for a in scan.find("time")]
    assert dates == sorted(dates)
    assert "since Sep 2023" in html


def test_public_base_url_differs_from_iri_host(make_app) -> None:  # type: ignore[no-untyped-def]
    client = make_app(public_base_url="https://kg.example.net/dprk/").test_client()
    response = client.get("/entity/russia", headers=HTML)
    html = response.get_data(as_text=True)
    assert response.headers["Content-Location"] == "https://kg.example.net/dprk/entity/russia.html"
    assert "https://kg.example.net/dprk/article/" in html
    assert "http://localhost/" not in html
    assert "<code>https://dprk-kg.example.org/entity/russia</code>" in html  # the IRI itself is unchanged
    turtle = client.get("/entity/russia", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Location"] == "https://kg.example.net/dprk/entity/russia.ttl"
    assert b"kg.example.net" not in turtle.data
