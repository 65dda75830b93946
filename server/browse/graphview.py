"""Layout of the graph view: actors left (senders) and right (recipients), flows between.

A server-rendered SVG that reads at a glance without JavaScript: each deployment or transfer
is one labelled arrow from its sender's box through a label pill to its recipient's box. Rows
are grouped by (sender, recipient); an actor's box spans the rows of its flows (like a Sankey
diagram), so arrows run almost straight. Colour tells the kind of flow, a dashed line an
agreed or planned one. Every arrow links to ``#flow-<id>``, the flow's evidence below the
picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from .flows import Flow

ROW = 40
TOP = 40
WIDTH = 1000
BOX_W = 170
PILL_W = 400
COLOURS = {
    "Deployment": "#c0392b",
    "MunitionsTransfer": "#d35400",
    "WeaponSystemTransfer": "#8e44ad",
    "TechnologyTransfer": "#2471a3",
    "FinancialTransfer": "#1e8449",
    "FoodTransfer": "#b7950b",
}
DEFAULT_COLOUR = "#566573"
MAX_LABEL = 58
"""Characters that fit in a label pill; longer labels are cut (the full label is the tooltip)."""


@dataclass(frozen=True)
class Box:
    """An actor's box in one column."""

    label: str
    url: str | None
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Arrow:
    """One flow drawn as two curves meeting at a label pill."""

    flow: Flow
    path_in: str
    path_out: str
    pill_x: float
    pill_y: float
    colour: str
    label: str


@dataclass(frozen=True)
class Layout:
    """Everything the SVG template draws."""

    width: int
    height: int
    senders: list[Box]
    recipients: list[Box]
    arrows: list[Arrow]
    legend: list[tuple[str, str]]


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    mid = (x1 + x2) / 2
    return f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"


def _label(flow: Flow) -> str:
    what = ", ".join(i.label for i in flow.items) or flow.event.label
    if flow.kind == "deployment":
        what = "troops" + (f" ({', '.join(f.label for f in flow.forces)})" if flow.forces else "")
    status = f" · {flow.status.lower()}" if flow.status else ""
    when = f" · {flow.date}" if flow.date else (f" · since {flow.start_date}" if flow.start_date else "")
    label = f"{what}{status}{when}"
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _column(
    keys: list[tuple[str, str, str | None]], rows_of: dict[str, list[int]], x: float
) -> tuple[list[Box], dict[str, list[float]]]:
    """Stack one box per actor, in order of its mean row, each as tall as its rows."""
    order = sorted(keys, key=lambda k: sum(rows_of[k[0]]) / len(rows_of[k[0]]))
    boxes, slots, y = [], {}, TOP
    for iri, label, url in order:
        rows = sorted(rows_of[iri])
        height = len(rows) * ROW
        boxes.append(Box(label, url, x, y, height - 8))
        slots[iri] = [y + (i + 0.5) * ROW - 4 for i in range(len(rows))]
        y += height
    return boxes, slots


def layout(flows: list[Flow]) -> Layout:
    """Place actors and arrows for ``flows`` (already ordered by sender, recipient)."""
    flows = sorted(
        flows, key=lambda f: (f.source.label, f.target.label, f.kind != "deployment", f.event.label)
    )
    src_rows: dict[str, list[int]] = {}
    dst_rows: dict[str, list[int]] = {}
    src_keys: dict[str, tuple[str, str, str | None]] = {}
    dst_keys: dict[str, tuple[str, str, str | None]] = {}
    for row, flow in enumerate(flows):
        src_rows.setdefault(flow.source.iri, []).append(row)
        dst_rows.setdefault(flow.target.iri, []).append(row)
        src_keys[flow.source.iri] = (flow.source.iri, flow.source.label, flow.source.url)
        dst_keys[flow.target.iri] = (flow.target.iri, flow.target.label, flow.target.url)
    senders, src_slots = _column(list(src_keys.values()), src_rows, 10)
    recipients, dst_slots = _column(list(dst_keys.values()), dst_rows, WIDTH - BOX_W - 10)
    pill_x = (WIDTH - PILL_W) / 2
    arrows = []
    src_next = {k: 0 for k in src_slots}
    dst_next = {k: 0 for k in dst_slots}
    for row, flow in enumerate(flows):
        y_row = TOP + row * ROW + ROW / 2 - 4
        y_src = src_slots[flow.source.iri][src_next[flow.source.iri]]
        y_dst = dst_slots[flow.target.iri][dst_next[flow.target.iri]]
        src_next[flow.source.iri] += 1
        dst_next[flow.target.iri] += 1
        arrows.append(
            Arrow(
                flow,
                _curve(10 + BOX_W, y_src, pill_x, y_row),
                _curve(pill_x + PILL_W, y_row, WIDTH - BOX_W - 16, y_dst),
                pill_x,
                y_row,
                COLOURS.get(flow.subtype, DEFAULT_COLOUR),
                _label(flow),
            )
        )
    used = {f.subtype for f in flows}
    legend = [(name, colour) for name, colour in COLOURS.items() if name in used]
    return Layout(WIDTH, TOP + max(1, len(flows)) * ROW + 20, senders, recipients, arrows, legend)
