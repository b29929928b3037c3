"""Interactive networks for the pages: pyvis builds them from the NetworkX view.

pyvis turns the NetworkX graph into vis-network node and edge options (``Network.from_nx``);
survkg then takes only ``net.nodes`` / ``net.edges`` and serves them as JSON to its own
autoescaped pages and ``/static`` scripts. pyvis's stock HTML is never used: it renders
with autoescape off, sets ``innerHTML`` from titles and loads scripts from public CDNs
(reference/security-notes.md, trap 11).

Node ``title`` (the hover text) is plain text; vis-network 9 shows a string title as text.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import networkx as nx
from fastapi.responses import HTMLResponse
from pyvis.network import Network

from graph.exposure import ranking
from graph.projection import Projection
from graph.store import Store

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
                        borderWidth=4 if n == focus else 1,
                        # vis draws a box's label inside it: white on the dark box, not the
                        # default near-black (unreadable on risk indicators' dark red).
                        **({"font": {"color": "#ffffff"}} if shape == "box" else {}))
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


class _Memo:
    """Values computed from one store version (the default ranking, the home page's
    counts): the first request after a write recomputes them, the others share them."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[int, Any]] = {}
        self.lock = threading.Lock()

    def get(self, version: int, key: str, make: Callable[[], Any]) -> Any:
        got = self.values.get(key)
        if got is not None and got[0] == version:
            return got[1]
        with self.lock:
            got = self.values.get(key)
            if got is None or got[0] != version:
                got = self.values[key] = (version, make())
            return got[1]


_MEMOS: weakref.WeakKeyDictionary[Any, _Memo] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def memo(store: Store, key: str, make: Callable[[], Any]) -> Any:
    """``make()`` once per store version under ``key``."""
    with _LOCK:
        m = _MEMOS.get(store)
        if m is None:
            m = _MEMOS[store] = _Memo()
    return m.get(store.version, key, make)


def default_ranking(store: Store, proj: Projection) -> list[dict[str, Any]]:
    """The ranking under the default filters (home page, entity summaries), as dicts."""
    def make() -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = ranking(proj).to_dict()["entries"]
        return entries
    got: list[dict[str, Any]] = memo(store, "ranking", make)
    return got


def warm_up(state: Any, say: Callable[[str], None]) -> None:
    """Build what the first requests would otherwise wait for, saying what and how long:
    the exposure projection, the display view, the default ranking, the name and search
    index (``state``: the app's, with the caches of :func:`api.deps.install`)."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("exposure projection", lambda: state.projections.get()),
        ("display view", lambda: state.views.get()),
        ("default ranking", lambda: default_ranking(state.store, state.projections.get())),
        ("name and search index", lambda: state.names.get()),
    ]
    for name, step in steps:
        t0 = time.perf_counter()
        say(f"warming up: {name}…")
        step()
        say(f"warming up: {name} ready in {time.perf_counter() - t0:.1f} s")


class PageCache:
    """The last ``size`` responses of a page, per store version: a busy entity or exposure
    page at a million triples costs ~0.3-1 s of Python to build, and readers ask for the
    same hot pages again and again (what the 20-client load test measures). Any write
    changes the store version, which empties the cache."""

    def __init__(self, store: Store, size: int = 128) -> None:
        self.store = store
        self.size = size
        self.version = -1
        self.items: dict[Any, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        version = self.store.version
        with self.lock:
            if version != self.version:
                self.items, self.version = {}, version
            if key in self.items:
                value = self.items.pop(key)
                self.items[key] = value  # most recently used last
                return value
        value = make()
        with self.lock:
            if self.version == version:
                self.items[key] = value
                while len(self.items) > self.size:
                    self.items.pop(next(iter(self.items)))
        return value

    def html(self, key: Any, make: Callable[[], HTMLResponse]) -> HTMLResponse:
        """A fresh response each time from the cached body and status of ``make()``'s."""
        def build() -> tuple[bytes, int]:
            r = make()
            return bytes(r.body), r.status_code
        body, status = self.get(key, build)
        return HTMLResponse(body, status_code=status)
