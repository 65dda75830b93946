"""A small SPARQL tokenizer used for safety checks and protocol rewrites.

It does not validate (pyoxigraph does); it only needs to find, outside strings, IRIs and
comments: the query form, dataset clauses (``FROM``), ``SERVICE`` targets, ``LOAD``,
``USING``/``WITH`` and the top-level ``WHERE`` of update operations. Keywords are recognised
only as bare words, so ``?service``, ``ex:load`` or ``"FROM"`` never count.

>>> [t.text for t in tokenize('SELECT * WHERE { ?s <http://x#y> "a#b" } # comment')]
['SELECT', '*', 'WHERE', '{', '?s', '<http://x#y>', '"a#b"', '}']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin

SPACES_RE = re.compile(r"\s+")
IRI_RE = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
VAR_RE = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\U000effff]+")
BNODE_RE = re.compile(r"_:[A-Za-z0-9_\-.\u00b7\u00c0-\U000effff]+")
LANG_RE = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
NUMBER_RE = re.compile(r"(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
NAME_RE = re.compile(r"(?:[A-Za-z0-9_\-.:%\\\u00b7\u00c0-\U000effff]|\\.)+")
SHORT_STRING_RE = {
    '"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"'),
    "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'"),
}
LONG_STRING_RE = {
    '"""': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S),
    "'''": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S),
}

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}

MAX_NESTING = 256
"""Deepest nesting of brackets plus unary ``!`` accepted. pyoxigraph's recursive-descent parser
overflows its stack (the executor dies with SIGSEGV) somewhere between 1,000 and 3,000 nested
braces; real queries nest a few dozen levels at most."""


class Token(NamedTuple):  # a tuple: a query has many, and tuples are cheap to make
    """One lexical token: ``kind`` is IRI, PNAME, VAR, STRING, BNODE, LANG, NUMBER, WORD, PUNCT."""

    kind: str
    text: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        """True if this is a bare keyword equal (case-insensitively) to one of ``words``."""
        return self.kind == "WORD" and self.text.upper() in words


class LexError(ValueError):
    """Raised for text the tokenizer cannot split (e.g. an unterminated string)."""


def tokenize(text: str) -> Iterator[Token]:
    """Split SPARQL text into tokens, skipping whitespace and comments."""
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch.isspace():  # \s is str.isspace() for str patterns: skip the whole run at once
            pos = SPACES_RE.match(text, pos).end()  # type: ignore[union-attr]
            continue
        if ch == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
            continue
        match = None
        kind = ""
        if ch == "<":
            match, kind = IRI_RE.match(text, pos), "IRI"
        elif ch in "\"'":
            long = text[pos : pos + 3]
            if long in LONG_STRING_RE:
                match, kind = LONG_STRING_RE[long].match(text, pos), "STRING"
            else:
                match, kind = SHORT_STRING_RE[ch].match(text, pos), "STRING"
            if match is None:
                raise LexError(f"unterminated string at offset {pos}")
        elif ch in "?$":
            match, kind = VAR_RE.match(text, pos), "VAR"
        elif ch == "_" and text.startswith("_:", pos):
            match, kind = BNODE_RE.match(text, pos), "BNODE"
        elif ch == "@":
            match, kind = LANG_RE.match(text, pos), "LANG"
        elif ch.isdigit() or (ch == "." and pos + 1 < n and text[pos + 1].isdigit()):
            match, kind = NUMBER_RE.match(text, pos), "NUMBER"
        elif ch == ":" or ch.isalpha() or ch == "_" or ord(ch) >= 0xC0:
            match = NAME_RE.match(text, pos)
            if match is not None:
                word = match.group(0).rstrip(".")
                kind = "PNAME" if ":" in word else "WORD"
                yield Token(kind, word, pos, pos + len(word))
                pos += len(word)
                continue
        if match is not None and match.end() > pos:
            yield Token(kind, match.group(0), pos, match.end())
            pos = match.end()
        else:
            yield Token("PUNCT", ch, pos, pos + 1)
            pos += 1


@dataclass
class Analysis:
    """What the safety checks need to know about a query or update."""

    form: str | None = None
    """SELECT/ASK/CONSTRUCT/DESCRIBE for queries, None when unknown or for updates."""
    has_dataset_clause: bool = False
    """The query has FROM / FROM NAMED, or the update has USING / WITH."""
    services: list[str | None] = field(default_factory=list)
    """Absolute SERVICE IRIs; None for a target that cannot be resolved (variable, bad prefix)."""
    has_load: bool = False
    """The update contains LOAD."""
    normalised: str = ""
    """Tokens joined by single spaces (a cache key insensitive to layout and comments)."""


CACHED_TEXT_CHARS = 4096
"""Analyses of texts up to this length are memoised (a repeated query is not lexed again)."""


def analyse(text: str, base_iri: str | None = None) -> Analysis:
    """Tokenize ``text`` and report its form, dataset clauses, SERVICE targets and LOAD.

    The answer may be shared between calls: treat it as read-only.
    """
    if len(text) <= CACHED_TEXT_CHARS:
        return _analyse_cached(text, base_iri)
    return _analyse(text, base_iri)


@lru_cache(maxsize=2048)  # bounded: 2048 × CACHED_TEXT_CHARS characters at most
def _analyse_cached(text: str, base_iri: str | None) -> Analysis:
    return _analyse(text, base_iri)


def _analyse(text: str, base_iri: str | None) -> Analysis:
    tokens = list(tokenize(text))
    _check_nesting(tokens)
    result = Analysis(normalised=" ".join(t.text for t in tokens))
    prefixes: dict[str, str] = {}
    base = base_iri
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind != "WORD":  # every rule below starts at a keyword
            i += 1
            continue
        word = tok.text.upper()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "BASE" and nxt is not None and nxt.kind == "IRI":
            base = _resolve(nxt.text[1:-1], base)
        elif word == "PREFIX" and nxt is not None and nxt.kind == "PNAME":
            iri = tokens[i + 2] if i + 2 < len(tokens) else None
            if iri is not None and iri.kind == "IRI":
                prefixes[nxt.text[:-1]] = _resolve(iri.text[1:-1], base)
        elif result.form is None and word in QUERY_FORMS:
            result.form = word
        elif word in {"FROM", "USING", "WITH"}:
            result.has_dataset_clause = True
        elif word == "LOAD":
            result.has_load = True
        elif word == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j].is_word("SILENT"):
                j += 1
            target = tokens[j] if j < len(tokens) else None
            result.services.append(_service_target(target, prefixes, base))
        i += 1
    return result


def _check_nesting(tokens: list[Token]) -> None:
    """Raise :class:`LexError` when brackets plus a run of ``!`` nest deeper than MAX_NESTING."""
    depth = unary = 0
    for tok in tokens:
        if tok.kind != "PUNCT":
            unary = 0
            continue
        if tok.text in "({[":
            depth += 1
        elif tok.text in ")}]":
            depth -= 1
        unary = unary + 1 if tok.text == "!" else 0
        if depth + unary > MAX_NESTING:
            raise LexError(f"nested deeper than {MAX_NESTING} levels at offset {tok.start}")


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _service_target(tok: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    if tok is None:
        return None
    if tok.kind == "IRI":
        return _resolve(tok.text[1:-1], base)
    if tok.kind == "PNAME":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def add_using(update: str, graphs: list[str], named_graphs: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri``/``using-named-graph-uri`` to every operation.

    Inserts ``USING``/``USING NAMED`` clauses before each top-level ``WHERE`` (SPARQL 1.1
    Update §3.1.3); ``DELETE WHERE { P }`` is first expanded to ``DELETE { P } WHERE { P }``.

    >>> add_using('INSERT { ?s a 1 } WHERE { ?s ?p ?o }', ['http://g'], [])
    'INSERT { ?s a 1 } USING <http://g> WHERE { ?s ?p ?o }'
    """
    clause = " ".join([f"USING <{g}>" for g in graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    tokens = list(tokenize(update))
    out: list[str] = []
    pos = depth = 0
    for i, tok in enumerate(tokens):
        if tok.kind == "PUNCT" and tok.text == "{":
            depth += 1
        elif tok.kind == "PUNCT" and tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.is_word("WHERE"):
            prev = tokens[i - 1] if i else None
            if prev is not None and prev.is_word("DELETE"):
                body_end = _matching_brace(tokens, i + 1)
                pattern = update[tokens[i + 1].start : body_end]
                out.append(update[pos : tok.start])
                out.append(f"{pattern} {clause} WHERE ")
            else:
                out.append(update[pos : tok.start])
                out.append(f"{clause} WHERE")
            pos = tok.end
    out.append(update[pos:])
    return "".join(out)


def _matching_brace(tokens: list[Token], start: int) -> int:
    """End offset of the brace group opening at ``tokens[start]``."""
    depth = 0
    for tok in tokens[start:]:
        if tok.kind == "PUNCT" and tok.text == "{":
            depth += 1
        elif tok.kind == "PUNCT" and tok.text == "}":
            depth -= 1
            if depth == 0:
                return tok.end
    raise LexError("unbalanced braces")
