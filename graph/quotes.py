"""Find verbatim quotes in an article and compute their offsets.

Offsets are 0-based code-point indices, end exclusive (Python slicing), as the
W3C Web Annotation TextPositionSelector defines them for a text without BOM.
A match must be word-bounded: the characters around it are not letters or digits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

CONTEXT = 32  # code points of prefix/suffix kept in the TextQuoteSelector


@dataclass(frozen=True, order=True)
class Span:
    """A located quote: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class QuoteError(ValueError):
    """A quote that is missing from the article, ambiguous, or out of range."""


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    # A boundary only matters where the quote itself starts or ends with a word character.
    ok_start = not (text[start].isalnum() and before.isalnum())
    ok_end = not (text[end - 1].isalnum() and after.isalnum())
    return ok_start and ok_end


def occurrences(text: str, exact: str) -> Iterator[int]:
    """Start offsets of every word-bounded occurrence of ``exact`` in ``text``."""
    start = text.find(exact)
    while start != -1:
        if _bounded(text, start, start + len(exact)):
            yield start
        start = text.find(exact, start + 1)


def make_span(text: str, start: int, end: int) -> Span:
    """The span ``text[start:end]`` with its prefix and suffix context."""
    return Span(
        start,
        end,
        text[start:end],
        text[max(0, start - CONTEXT) : start],
        text[end : end + CONTEXT],
    )


def locate(text: str, spec: str | dict) -> list[Span]:
    """Spans for one quote spec: a string (must be unique), or ``{exact, occurrence | all}``."""
    if isinstance(spec, str):
        exact, occurrence, every = spec, None, False
    else:
        exact, occurrence, every = spec["exact"], spec.get("occurrence"), spec.get("all", False)
    starts = list(occurrences(text, exact))
    if not starts:
        raise QuoteError(f"quote not found in the article: {exact!r}")
    if every:
        chosen = starts
    elif occurrence is not None:
        if occurrence > len(starts):
            raise QuoteError(
                f"quote {exact!r} occurs {len(starts)} time(s); occurrence {occurrence} does not exist"
            )
        chosen = [starts[occurrence - 1]]
    elif len(starts) > 1:
        raise QuoteError(
            f"quote {exact!r} occurs {len(starts)} times; give 'occurrence' (1-{len(starts)}) or 'all'"
        )
    else:
        chosen = starts
    return [make_span(text, s, s + len(exact)) for s in chosen]
