"""An aggregated overview of the display view, for graphs too big to draw node by node.

At a million triples the view has tens of thousands of nodes; a browser draws a few
hundred fluidly. :func:`overview` folds the view into groups (by country, by display type,
or by both) with their node counts and the number of relations between groups, and gives
each group a position computed here (a circle, largest group first), so that
the page draws it at once without running a layout on the browser's main thread.
:func:`members` is the drill-down: the best-connected members of one group, at most
``limit``, as a subgraph the page draws like any neighbourhood.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

#: Ways to group; "type" is the node's display type, "country" the country it is in.
GROUPINGS = ("country", "type", "country-type")
#: Nodes without a country fall here.
NO_COUNTRY = "(no country)"


def group_key(data: dict[str, Any], by: str) -> str:
    """The group a node with attributes ``data`` belongs to under ``by``."""
    country = str(data.get("country") or NO_COUNTRY)
    kind = str(data.get("type") or "Other")
    if by == "country":
        return country
    if by == "type":
        return kind
    return f"{country}|{kind}"


def overview(view: nx.MultiDiGraph, by: str = "country",  # type: ignore[type-arg]
             max_groups: int = 60) -> dict[str, Any]:
    """Groups of ``view`` under ``by`` (largest first, at most ``max_groups``; the rest
    merged into one "other" group), relation counts between them, and x/y positions."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    keys = {n: group_key(d, by) for n, d in view.nodes(data=True)}
    sizes = Counter(keys.values())
    kinds: dict[str, Counter[str]] = {}
    for n, d in view.nodes(data=True):
        kinds.setdefault(keys[n], Counter())[str(d.get("type") or "Other")] += 1
    kept = [k for k, _ in sizes.most_common(max_groups)]
    other = "(other groups)"
    fold = {k: (k if k in set(kept) else other) for k in sizes}
    links: Counter[tuple[str, str, str]] = Counter()
    for a, b, kind in view.edges(data="kind"):  # type: ignore[var-annotated]
        ga, gb = fold[keys[a]], fold[keys[b]]
        if ga != gb:
            links[(ga, gb, str(kind or ""))] += 1
    groups = kept + ([other] if other in fold.values() else [])
    counts = Counter(fold[keys[n]] for n in view.nodes)
    # A circle, largest group first: at 1M one hub group ("no country": products,
    # technologies, indicators) pulls a spring layout into one pile; a circle keeps every
    # label readable and the links between groups visible.
    ring: nx.Graph = nx.Graph()  # type: ignore[type-arg]
    ring.add_nodes_from(groups)
    pos: dict[str, Any] = nx.circular_layout(ring) if groups else {}
    label = {n: str(d.get("label", n)) for n, d in view.nodes(data=True)
             if by != "type" and d.get("type") == "Country"}
    out_groups = []
    for k in groups:
        country, _, kind = k.partition("|") if by == "country-type" else (
            (k, "", "") if by == "country" else ("", "", k))
        name = label.get(country, country) if country else ""
        text = " · ".join(x for x in (name, kind) if x) or k
        top = kinds.get(k, Counter()).most_common(1)
        out_groups.append({"id": k, "label": text, "count": counts[k],
                           "main_type": top[0][0] if top else "Other",
                           "x": round(float(pos[k][0]) * 400, 1) if k in pos else 0.0,
                           "y": round(float(pos[k][1]) * 400, 1) if k in pos else 0.0})
    out_links = [{"from": a, "to": b, "kind": kind, "count": n}
                 for (a, b, kind), n in sorted(links.items(), key=lambda x: -x[1])]
    return {"by": by, "groups": out_groups, "links": out_links,
            "nodes": view.number_of_nodes(), "edges": view.number_of_edges()}


def members(view: nx.MultiDiGraph, by: str, key: str,  # type: ignore[type-arg]
            limit: int = 150) -> tuple[nx.MultiDiGraph, int]:  # type: ignore[type-arg]
    """The ``limit`` best-connected nodes of group ``key`` and the relations among them
    (plus the total size of the group)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    found = [n for n, d in view.nodes(data=True) if group_key(d, by) == key]
    found.sort(key=lambda n: (-view.degree(n), n))
    return view.subgraph(found[:limit]).copy(), len(found)


def positions(g: nx.MultiDiGraph, scale: float = 600.0  # type: ignore[type-arg]
              ) -> dict[str, tuple[float, float]]:
    """x/y for every node of a small graph (a drill-down), so the page draws it at once
    instead of running a layout on its main thread (1.5 s for 150 nodes in vis-network)."""
    if not g.number_of_nodes():
        return {}
    simple: nx.Graph = nx.Graph(g.to_undirected(as_view=True))  # type: ignore[type-arg]
    pos = nx.spring_layout(simple, seed=1, iterations=60, scale=scale)
    return {str(n): (round(float(x), 1), round(float(y), 1)) for n, (x, y) in pos.items()}

