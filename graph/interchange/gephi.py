"""GraphML and GEXF exports: the graph as Gephi (and yEd, Cytoscape desktop) sees it.

Built on the web pages' NetworkX view (:func:`graph.export_graph.build_view`), so Gephi
shows the same nodes and edges as the site: organisations, programmes, places, products
and risk indicators as nodes; supplies, ownerships, successions, participations, risk
flags, locations and makers as edges. Gephi only understands scalar attributes, so every
attribute is a string (lists joined by spaces, absent values written as ``""``, never
None), and every node and edge has the same attribute set, so Gephi's data table has one
column per attribute with no gaps of the wrong type.
"""

from __future__ import annotations

from typing import IO

import networkx as nx
import pyoxigraph as ox

from graph.export_graph import build_view
from graph.namespaces import SKG, local_id
from graph.store import Store

#: Node attributes (besides the id): what a Gephi user filters and colours by.
NODE_ATTRS = ("label", "type", "country", "iri")
#: Edge attributes: the relation and its evidence.
EDGE_ATTRS = ("relation", "claim", "confidence", "status", "date", "start", "end",
              "technology", "product", "sources", "source_count")


def _evidence(store: Store) -> dict[str, list[str]]:
    """Local ids of the sources of every claim, by the claim's local id."""
    out: dict[str, set[str]] = {}
    for q in store.quads(None, ox.NamedNode(SKG + "evidence"), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            out.setdefault(local_id(q.subject.value), set()).add(local_id(q.object.value))
    return {c: sorted(s) for c, s in out.items()}


def gephi_view(store: Store) -> nx.MultiDiGraph:  # type: ignore[type-arg]
    """The view with GraphML/GEXF-safe attributes (see module doc)."""
    view = build_view(store)
    evidence = _evidence(store)
    g: nx.MultiDiGraph = nx.MultiDiGraph()  # type: ignore[type-arg]
    for n, data in sorted(view.nodes(data=True)):
        g.add_node(n, **{a: str(data.get(a) or "") for a in NODE_ATTRS})
    for a, b, key, data in sorted(view.edges(keys=True, data=True),
                                  key=lambda e: (e[0], e[1], str(e[2]))):
        claim = str(data.get("claim") or "")
        sources = evidence.get(claim, [])
        attrs = {"relation": str(data.get("kind") or ""), "claim": claim,
                 "sources": " ".join(sources), "source_count": str(len(sources))}
        for name in EDGE_ATTRS:
            attrs.setdefault(name, str(data.get(name) or ""))
        g.add_edge(a, b, key=str(key), **attrs)
    return g


def write_graphml(store: Store, out: IO[bytes]) -> int:
    """The graph as GraphML; returns the number of edges written."""
    g = gephi_view(store)
    nx.write_graphml(g, out, encoding="utf-8", prettyprint=True)
    return int(g.number_of_edges())


def write_gexf(store: Store, out: IO[bytes]) -> int:
    """The graph as GEXF 1.2 (Gephi's own format); returns the number of edges written."""
    g = gephi_view(store)
    for _, _, key, data in g.edges(keys=True, data=True):
        data["id"] = key  # GEXF edge ids: the view's stable keys, not a counter
    nx.write_gexf(g, out, encoding="utf-8", prettyprint=True)
    return int(g.number_of_edges())
