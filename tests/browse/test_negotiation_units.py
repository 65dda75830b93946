"""Pure functions: Accept negotiation, suffixes, Link header, text segmentation, graph layout."""

from __future__ import annotations

import pytest

from server.browse.article import segment
from server.browse.conneg import HTML, choose, link_header, split_suffix

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        (BROWSER, "html"),
        ("text/html", "html"),
        ("application/xhtml+xml", "html"),
        (None, "ttl"),
        ("", "ttl"),
        ("*/*", "ttl"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
        ("application/n-triples", "nt"),
        ("text/plain", "nt"),
        ("application/rdf+xml", "rdf"),
        ("text/html;q=0.5, text/turtle", "ttl"),
        ("text/turtle;q=0.5, text/html", "html"),
        ("text/html, text/turtle", "html"),
        ("application/ld+json, text/html;q=0.1", "jsonld"),
    ],
)
def test_choose(accept: str | None, extension: str) -> None:
    chosen = choose(accept)
    assert chosen is not None and chosen.extension == extension


@pytest.mark.parametrize(
    "accept", ["image/png", "text/html;q=0, text/turtle;q=0, */*;q=0", "application/pdf"]
)
def test_choose_nothing_acceptable(accept: str) -> None:
    assert choose(accept) is None


def test_split_suffix() -> None:
    assert split_suffix("russia.ttl")[0] == "russia"
    assert split_suffix("russia.html")[1] is HTML
    assert split_suffix("russia") == ("russia", None)
    assert split_suffix("russia.xyz") == ("russia.xyz", None)
    assert split_suffix(".ttl") == (".ttl", None)
    stem, rep = split_suffix("000_abc/1-5.jsonld")
    assert stem == "000_abc/1-5" and rep is not None and rep.media_type == "application/ld+json"


def test_link_header_lists_every_format_and_describedby() -> None:
    header = link_header("https://kg.example/entity/x")
    for ext in ("html", "ttl", "nt", "jsonld", "rdf"):
        assert f"<https://kg.example/entity/x.{ext}>" in header
    assert '<https://kg.example/entity/x.ttl>; rel="alternate describedby"; type="text/turtle"' in header


def test_segment_nested_and_crossing() -> None:
    text = "0123456789"
    segs = segment(text, [(1, 8), (2, 4), (3, 9)])
    assert "".join(s.text for s in segs) == text
    covering = {s.text: s.covering for s in segs}
    assert covering["0"] == ()
    assert covering["1"] == ("1-8",)
    assert covering["2"] == ("1-8", "2-4")
    assert covering["3"] == ("1-8", "2-4", "3-9")
    assert covering["4567"] == ("1-8", "3-9")
    assert covering["8"] == ("3-9",)
    anchors = [a for s in segs for a in s.anchors]
    assert anchors == ["span-1-8", "span-2-4", "span-3-9"]


def test_segment_ignores_out_of_range_and_empty_spans() -> None:
    segs = segment("abc", [(2, 2), (1, 99), (-1, 2), (0, 3)])
    assert [(s.text, s.covering) for s in segs] == [("abc", ("0-3",))]


def test_segment_code_points() -> None:
    text = "“heroic” ok"
    segs = segment(text, [(0, 8)])
    assert segs[0].text == "“heroic”"
