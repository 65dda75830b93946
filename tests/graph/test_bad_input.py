"""Bad input stops the build with file, entry, line and reason; old artefacts stay untouched."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from graph.build import build
from graph.cli import main
from graph.config import Settings

ANNOTATION = "000_24d540ed9a0fd9f0.yaml"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def workspace(tmp_path: Path, seeds_copy: Path, built) -> tuple[Path, Path]:
    """A copy of the seeds and a folder holding a previous good build (copied, not rebuilt)."""
    out = tmp_path / "out"
    shutil.copytree(built[0].out_dir, out)
    return seeds_copy, out


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


CASES = {
    "quote not in the article": (
        ANNOTATION,
        "    quote: tripling Pyongyang’s military commitment",
        "    quote: quadrupling Pyongyang’s military commitment",
        r"claim 'commitment-tripling': quote not found in the article: 'quadrupling",
    ),
    "unknown entity reference": (
        ANNOTATION,
        "  - id: shells-30-percent-russian\n    claimant: ukrainian-intelligence",
        "  - id: shells-30-percent-russian\n    claimant: ukrainian-inteligence",
        r"claim 'shells-30-percent-russian': unknown entity reference 'ukrainian-inteligence'",
    ),
    "malformed number": (
        ANNOTATION,
        "      value: 4000\n",
        "      value: 4,000\n",
        r"does not match the annotation schema: .*'4,000'",
    ),
    "malformed date": (
        ANNOTATION,
        "    date:\n      value: 2024-06\n",
        "    date:\n      value: 2024-13\n",
        r"does not match the annotation schema",
    ),
    "impossible date": (
        ANNOTATION,
        "    date:\n      value: 2024-06\n",
        "    date:\n      value: 2024-02-30\n",
        r"event 'russia-north-korea-treaty-2024': malformed date '2024-02-30'",
    ),
    "unknown property": (
        ANNOTATION,
        "    transferredItem: rice\n",
        "    transferedItem: rice\n",
        r"event 'rice-to-north-korea': unknown property 'transferedItem'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_annotation_fails_with_file_line_entry_and_keeps_old_artefacts(case, workspace, capsys):
    seeds, out = workspace
    name, old, new, pattern = CASES[case]
    before = _digest(out)
    line = _edit(seeds / name, old, new)
    code = main(["build", "--seeds", str(seeds), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert str(seeds / name) in err
    assert re.search(pattern, err), err
    found = re.search(re.escape(str(seeds / name)) + r":(\d+):", err)
    assert found, err
    assert abs(int(found.group(1)) - line) <= 12  # the line of the entry that holds the error
    assert _digest(out) == before


def test_shacl_violation_fails_and_names_the_shape(workspace, capsys):
    seeds, out = workspace
    before = _digest(out)
    # A transfer with nothing transferred violates the Transfer shape.
    _edit(seeds / ANNOTATION, "    transferredItem: rice\n", "")
    code = main(["build", "--seeds", str(seeds), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "SHACL validation failed" in err
    assert "rice-to-north-korea" in err and "a transfer says what is transferred" in err
    assert _digest(out) == before


def test_inconsistency_fails_the_build(workspace, capsys):
    seeds, out = workspace
    before = _digest(out)
    _edit(
        seeds / "entities.yaml",
        "  - id: western-officials\n    type: OfficialsGroup",
        "  - id: western-officials\n    type: [OfficialsGroup, Claim]",
    )
    code = main(["build", "--seeds", str(seeds), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "inconsistent" in err and "western-officials" in err
    assert _digest(out) == before


def test_ambiguous_quote_is_refused(workspace, capsys):
    seeds, out = workspace
    _edit(seeds / ANNOTATION, "    quote: rice supplies\n", "    quote: Kim\n")
    assert main(["build", "--seeds", str(seeds), "--out", str(out)]) == 1
    assert "occurs 5 times; give 'occurrence'" in capsys.readouterr().err


def test_interrupted_write_leaves_previous_artefacts(workspace):
    seeds, out = workspace
    before = _digest(out)
    _edit(seeds / ANNOTATION, "statement: Despite the casualties,", "statement: Even so,")

    def crash(tmp: Path) -> None:
        raise KeyboardInterrupt("simulated interruption after writing, before the swap")

    with pytest.raises(KeyboardInterrupt):
        build(Settings.from_env(seeds_dir=seeds, out_dir=out), before_swap=crash)
    assert _digest(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.tmp-")]
