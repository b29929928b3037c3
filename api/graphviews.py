"""Interactive networks for the pages: pyvis builds them from the NetworkX view.

pyvis turns the NetworkX graph into vis-network node and edge options (``Network.from_nx``);
survkg then takes only ``net.nodes`` / ``net.edges`` and serves them as JSON to its own
autoescaped pages and ``/static`` scripts. pyvis's stock HTML is never used: it renders
with autoescape off, sets ``innerHTML`` from titles and loads scripts from public CDNs
(reference/security-notes.md, trap 11).

Node ``title`` (the hover text) is plain text; vis-network 9 shows a string title as text.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pyvis.network import Network

#: Colour and shape per display type (the legend on every page reads this table).
TYPE_STYLE: dict[str, tuple[str, str, str]] = {
    # type: (colour, vis shape, legend text)
    "Company": ("#2f6db5", "dot", "company"),
    "Organisation": ("#5b8fd0", "dot", "organisation"),
    "PublicSecurityBody": ("#c0392b", "diamond", "public-security body"),
    "GovernmentBody": ("#e07b39", "diamond", "government body"),
    "ResearchInstitute": ("#8e44ad", "triangle", "university / institute"),
    "UnnamedEndUser": ("#7f8c8d", "diamond", "unnamed end user"),
    "SurveillanceProgramme": ("#d4a017", "star", "surveillance programme"),
    "Country": ("#27ae60", "square", "country"),
    "Region": ("#52be80", "square", "region"),
    "City": ("#82e0aa", "square", "city"),
    "Place": ("#82e0aa", "square", "place"),
    "Product": ("#16a085", "triangleDown", "product"),
    "Technology": ("#1abc9c", "hexagon", "technology"),
    "RiskIndicator": ("#922b21", "box", "risk indicator"),
    "Other": ("#95a5a6", "dot", "other"),
}

EDGE_STYLE: dict[str, str] = {
    "supply": "#c0392b",
    "supply-programme": "#d4a017",
    "market-presence": "#e59866",
    "ownership": "#2f6db5",
    "succession": "#8e44ad",
    "participation": "#d68910",
    "flag": "#922b21",
    "location": "#a9b7c0",
    "maker": "#16a085",
}

#: Statuses that do not count by default: drawn dashed.
WEAK_STATUSES = {"Alleged", "Disputed", "Unverified"}

MAX_LABEL = 40


def legend() -> list[dict[str, str]]:
    return [{"type": t, "color": c, "shape": s, "text": x} for t, (c, s, x) in TYPE_STYLE.items()
            if t not in ("Other", "Place")]


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def vis_data(g: nx.MultiDiGraph, *, total: int | None = None,  # type: ignore[type-arg]
             focus: str | None = None) -> dict[str, Any]:
    """vis-network nodes and edges (built by pyvis) for ``g``, with the data pages filter on."""
    styled: nx.MultiDiGraph = nx.MultiDiGraph()  # type: ignore[type-arg]
    for n, d in g.nodes(data=True):
        kind = str(d.get("type", "Other"))
        colour, shape, text = TYPE_STYLE.get(kind, TYPE_STYLE["Other"])
        label = str(d.get("label", n))
        styled.add_node(n, label=_short(label), title=f"{label}\n{text} · {n}", color=colour,
                        shape=shape, size=22 if n == focus else 14,
                        fullLabel=label, kind=kind, country=str(d.get("country", "")),
                        borderWidth=4 if n == focus else 1)
    for a, b, key, d in g.edges(keys=True, data=True):
        kind = str(d.get("kind", ""))
        status = str(d.get("status", ""))
        when = "–".join(x for x in (str(d.get("start", d.get("date", ""))),
                                    str(d.get("end", ""))) if x)
        title = " ".join(x for x in (kind, str(d.get("claim", "")), when, status.lower()) if x)
        styled.add_edge(a, b, key=key, id=f"{a}|{b}|{key}", title=title,
                        color=EDGE_STYLE.get(kind, "#888888"), arrows="to",
                        dashes=status in WEAK_STATUSES, weight=2 if kind == "supply" else 1,
                        kind=kind, claim=str(d.get("claim", "")),
                        start=str(d.get("start", d.get("date", ""))), end=str(d.get("end", "")),
                        status=status, confidence=str(d.get("confidence", "")),
                        technology=str(d.get("technology", "")))
    net = Network(directed=True, cdn_resources="local")
    net.from_nx(styled, default_node_size=14, show_edge_weights=False)
    nodes: list[dict[str, Any]] = list(net.nodes)
    edges: list[dict[str, Any]] = list(net.edges)
    n_total = total if total is not None else len(nodes)
    return {"nodes": nodes, "edges": edges, "truncated": n_total > len(nodes),
            "total_nodes": n_total, "legend": legend(), "edge_colours": EDGE_STYLE,
            "focus": focus}
