"""A tiny HTML scanner for the page tests (stdlib only)."""

from __future__ import annotations

from html.parser import HTMLParser


class Scan(HTMLParser):
    """Collects every start tag with its attributes, and the text inside ``#text``."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.article_text: list[str] = []
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if self._depth:
            self._depth += tag not in {"br", "img"}
        elif values.get("id") == "text":
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.article_text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """Start tags named ``tag`` whose attributes include ``attrs`` (``class_`` for class)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]

    def hrefs(self) -> list[str]:
        """Every link target."""
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]
