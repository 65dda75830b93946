"""The dprk-kg command: validate and query, as a user runs them."""

from __future__ import annotations

import json

from graph.cli import main


def test_query_prints_a_table_csv_and_json(built, capsys):
    out = str(built[0].out_dir)
    query = "SELECT ?l WHERE { <https://dprk-kg.example.org/entity/russia> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    assert main(["query", "--out", out, query]) == 0
    table = capsys.readouterr().out
    assert "Russia" in table and "(1 row)" in table
    assert main(["query", "--out", out, query, "--format", "csv"]) == 0
    assert capsys.readouterr().out == "l\nRussia\n"
    assert main(["query", "--out", out, query, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["results"]["bindings"][0]["l"]["value"] == "Russia"


def test_query_reads_an_rq_file_and_reports_syntax_errors(built, capsys, tmp_path):
    out = str(built[0].out_dir)
    rq = tmp_path / "ask.rq"
    rq.write_text("ASK { ?s a <https://dprk-kg.example.org/ontology#Deployment> }")
    assert main(["query", "--out", out, str(rq)]) == 0
    assert capsys.readouterr().out.strip() == "true"
    assert main(["query", "--out", out, "SELEKT nothing"]) == 2
    assert "malformed query" in capsys.readouterr().err


def test_validate_checks_without_writing(tmp_path, capsys):
    assert main(["validate", "--out", str(tmp_path / "never")]) == 0
    assert "SHACL conforms" in capsys.readouterr().out
    assert not (tmp_path / "never").exists()
