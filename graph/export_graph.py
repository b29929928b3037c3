"""The graph as a reader sees it: one NetworkX view, subgraphs of it, and its export formats.

:func:`build_view` turns the claim records into edges between the entities they connect
(supplier -> intermediaries -> recipient -> programme, parent -> subsidiary, predecessor
-> successor, participant -> programme, flagged entity -> risk indicator) plus plain
``skg:locatedIn`` and ``skg:maker`` links. Which property plays which part is read from
the ontology's ``skg:exposureRole`` annotations, as in the exposure projection. Every edge
keeps its claim's id, dates, status, confidence and technologies, so a page can replay the
graph over time and filter it without asking the server again.

Formats: ``json`` (nodes and edges), ``graphml`` and ``gexf`` (Gephi), ``cytoscape``
(Cytoscape.js JSON). Attribute values are scalars, never None, as GraphML and GEXF need.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.errors import InvalidParameter, UnknownEntity
from graph.namespaces import ID, ONTOLOGY_GRAPH, RDFS, SKG, local_id, rid
from graph.store import Store

GRAPH_FORMATS = ("json", "graphml", "gexf", "cytoscape")

#: Display types, most specific first: a node gets the first of these it has.
NODE_TYPES = ("PublicSecurityBody", "GovernmentBody", "ResearchInstitute", "UnnamedEndUser",
              "Company", "Organisation", "SurveillanceProgramme", "Country", "Region", "City",
              "Place", "Product", "Technology", "RiskIndicator", "Source")

_ROLE_KIND = {"SupplyFrom": "supply", "SupplyVia": "supply", "SupplyTo": "supply",
              "SupplyProgramme": "supply", "OwnershipParent": "ownership",
              "OwnershipChild": "ownership", "SuccessionFrom": "succession",
              "SuccessionTo": "succession", "ParticipationMember": "participation",
              "ParticipationProgramme": "participation", "FlagTarget": "flag",
              "FlagIndicator": "flag", "PresenceFrom": "market-presence",
              "PresenceVia": "market-presence", "PresenceTo": "market-presence"}

_LABEL = f"<{RDFS}label>"


@dataclass
class _Claim:
    iri: str
    kind: str
    roles: dict[str, list[str]]
    attrs: dict[str, str]


def _select(store: Store, sparql: str) -> Iterable[ox.QuerySolution]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _v(term: object) -> str:
    return str(getattr(term, "value", ""))


def build_view(store: Store) -> nx.MultiDiGraph:  # type: ignore[type-arg]
    """The whole graph as a directed multigraph keyed by local ids (see module doc)."""
    roles: dict[str, str] = {}
    for q in store.quads(None, ox.NamedNode(SKG + "exposureRole"), None, ONTOLOGY_GRAPH):
        roles[_v(q.subject)] = _v(q.object).removeprefix(SKG)
    claims: dict[str, _Claim] = {}
    located: list[tuple[str, str]] = []
    if roles:
        values = " ".join(f"<{p}>" for p in roles)
        for sol in _select(store, f"SELECT DISTINCT ?c ?p ?o WHERE {{ VALUES ?p {{ {values} }} "
                                  "?c ?p ?o . FILTER(isIRI(?o)) }"):
            c, p, o = _v(sol["c"]), _v(sol["p"]), _v(sol["o"])
            role = roles[p]
            if role == "Location":
                located.append((c, o))
                continue
            claim = claims.setdefault(c, _Claim(c, _ROLE_KIND.get(role, "claim"), {}, {}))
            claim.roles.setdefault(role, []).append(o)
    _claim_attrs(store, claims)
    makers = [(_v(s["p"]), _v(s["m"])) for s in _select(
        store, f"SELECT DISTINCT ?p ?m WHERE {{ ?p <{SKG}maker> ?m }}")]

    g: nx.MultiDiGraph = nx.MultiDiGraph()  # type: ignore[type-arg]
    for claim in claims.values():
        for src, dst, kind in _claim_edges(claim):
            g.add_edge(local_id(src), local_id(dst), key=f"{local_id(claim.iri)}:{kind}",
                       kind=kind, claim=local_id(claim.iri), **claim.attrs)
    for a, b in located:
        g.add_edge(local_id(a), local_id(b), key=f"located:{local_id(b)}", kind="location")
    for product, maker in makers:
        g.add_edge(local_id(maker), local_id(product), key=f"maker:{local_id(product)}",
                   kind="maker")
    _node_attrs(store, g)
    return g


def _claim_edges(claim: _Claim) -> list[tuple[str, str, str]]:
    r = claim.roles
    out: list[tuple[str, str, str]] = []
    if claim.kind in ("supply", "market-presence"):
        role = "Supply" if claim.kind == "supply" else "Presence"
        chain = r.get(role + "From", [])[:1] + sorted(r.get(role + "Via", []))
        to = r.get(role + "To", [])
        out.extend((a, b, claim.kind) for a, b in itertools.pairwise(chain))
        for rec in to:
            if chain:
                out.append((chain[-1], rec, claim.kind))
        ends = to or chain[-1:]
        for prog in r.get("SupplyProgramme", []):
            for end in ends:
                if end != prog:
                    out.append((end, prog, "supply-programme"))
        return out
    pairs = {"ownership": ("OwnershipParent", "OwnershipChild"),
             "succession": ("SuccessionFrom", "SuccessionTo"),
             "participation": ("ParticipationMember", "ParticipationProgramme"),
             "flag": ("FlagTarget", "FlagIndicator")}
    if claim.kind in pairs:
        a_role, b_role = pairs[claim.kind]
        for a in r.get(a_role, []):
            for b in r.get(b_role, []):
                out.append((a, b, claim.kind))
    return out


def _claim_attrs(store: Store, claims: dict[str, _Claim]) -> None:
    """Dates, status, confidence, technologies, products and source counts of claims."""
    if not claims:
        return
    fields = {"startDate": "start", "endDate": "end", "date": "date"}
    ids = sorted(claims)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        values = " ".join(f"<{c}>" for c in chunk)
        q = (f"SELECT ?c ?p ?o WHERE {{ VALUES ?c {{ {values} }} ?c ?p ?o . "
             f"FILTER(?p IN (<{SKG}startDate>, <{SKG}endDate>, <{SKG}date>, <{SKG}status>, "
             f"<{SKG}confidence>, <{SKG}technology>, <{SKG}product>, <{SKG}evidence>)) }}")
        multi: dict[str, dict[str, set[str]]] = {}
        for sol in _select(store, q):
            c, p, o = _v(sol["c"]), _v(sol["p"]).removeprefix(SKG), _v(sol["o"])
            attrs = claims[c].attrs
            if p in fields:
                attrs[fields[p]] = o
            elif p in ("status", "confidence"):
                attrs[p] = o.removeprefix(SKG)
            else:
                multi.setdefault(c, {}).setdefault(p, set()).add(local_id(o))
        for c, found in multi.items():
            attrs = claims[c].attrs
            attrs["technology"] = " ".join(sorted(found.get("technology", ())))
            attrs["product"] = " ".join(sorted(found.get("product", ())))
            attrs["sources"] = str(len(found.get("evidence", ())))


def _node_attrs(store: Store, g: nx.MultiDiGraph) -> None:  # type: ignore[type-arg]
    """Label, display type and country of every node."""
    nodes = sorted(g.nodes)
    for chunk in (nodes[i:i + 500] for i in range(0, len(nodes), 500)):
        values = " ".join(f"<{rid(n).value if not n.startswith('http') else n}>" for n in chunk)
        q = (f"SELECT ?s (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?t)) AS ?types) "
             f"(SAMPLE(?cn) AS ?country) WHERE {{ VALUES ?s {{ {values} }} "
             f"OPTIONAL {{ ?s {_LABEL} ?l FILTER(LANG(?l) = '' || LANGMATCHES(LANG(?l), 'en')) }}"
             f" OPTIONAL {{ ?s a ?t }} OPTIONAL {{ ?s <{SKG}country> ?cn }} }} GROUP BY ?s")
        for sol in _select(store, q):
            n = local_id(_v(sol["s"]))
            types = {t.removeprefix(SKG) for t in _v(sol["types"]).split()}
            kind = next((t for t in NODE_TYPES if t in types), "Other")
            label = _v(sol["label"]) if sol["label"] is not None else n.rsplit("/", 1)[-1]
            g.nodes[n].update(label=label, type=kind, iri=rid(n).value if not n.startswith(
                "http") else n)
            if sol["country"] is not None:
                g.nodes[n]["country"] = local_id(_v(sol["country"]))
    countries = {n for n, d in g.nodes(data=True) if d.get("type") == "Country"}
    for n, data in g.nodes(data=True):
        data.setdefault("label", n.rsplit("/", 1)[-1])
        data.setdefault("type", "Other")
        data.setdefault("iri", rid(n).value if not n.startswith("http") else n)
        if "country" not in data and data["type"] != "Country":
            where = _country_of(g, n, countries)
            if where:
                data["country"] = where
        if data["type"] == "Country":
            data["country"] = n


def _country_of(g: nx.MultiDiGraph, n: str, countries: set[str]) -> str | None:  # type: ignore[type-arg]
    """The country a node is located in (following location edges)."""
    seen = {n}
    frontier = [n]
    while frontier:
        nxt = []
        for x in frontier:
            for _, y, kind in g.out_edges(x, data="kind"):  # type: ignore[var-annotated]
                if kind == "location" and y not in seen:
                    if y in countries:
                        return str(y)
                    seen.add(y)
                    nxt.append(y)
        frontier = nxt
    return None


def subgraph(view: nx.MultiDiGraph, focus: str | None = None, depth: int = 1,  # type: ignore[type-arg]
             max_nodes: int | None = None) -> tuple[nx.MultiDiGraph, int]:  # type: ignore[type-arg]
    """The neighbourhood of ``focus`` up to ``depth`` hops (either direction), or everything.

    Returns the subgraph and the number of nodes before ``max_nodes`` cut it (nodes nearest
    the focus are kept first).
    """
    if focus is None:
        nodes = list(view.nodes)
    else:
        if focus not in view:
            raise UnknownEntity(focus, [n for n in view.nodes if focus.lower() in n.lower()][:5])
        dist = nx.single_source_shortest_path_length(view.to_undirected(as_view=True), focus,
                                                     cutoff=depth)
        nodes = sorted(dist, key=lambda n: (dist[n], n))
    total = len(nodes)
    if max_nodes is not None and total > max_nodes:
        if focus is None:
            nodes = sorted(nodes, key=lambda n: (-view.degree(n), n))
        nodes = nodes[:max_nodes]
    return view.subgraph(nodes).copy(), total


def to_json(g: nx.MultiDiGraph, total: int | None = None) -> dict[str, Any]:  # type: ignore[type-arg]
    """Nodes and edges as plain JSON."""
    nodes = [{"id": n, "iri": d.get("iri", ""), "label": d.get("label", n),
              "type": d.get("type", "Other"),
              "attrs": {k: v for k, v in d.items() if k not in ("iri", "label", "type")}}
             for n, d in sorted(g.nodes(data=True))]
    edges = [{"source": a, "target": b, "kind": d.get("kind", ""), "claim": d.get("claim"),
              "attrs": {k: v for k, v in d.items() if k not in ("kind", "claim")}}
             for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1],
                                                                       str(e[2].get("claim"))))]
    n_total = total if total is not None else len(nodes)
    return {"nodes": nodes, "edges": edges, "truncated": n_total > len(nodes),
            "total_nodes": n_total}


def serialize(g: nx.MultiDiGraph, fmt: str, total: int | None = None) -> bytes:  # type: ignore[type-arg]
    """``g`` in one of :data:`GRAPH_FORMATS`."""
    if fmt == "json":
        return json.dumps(to_json(g, total), ensure_ascii=False).encode()
    if fmt == "cytoscape":
        return json.dumps(nx.cytoscape_data(g), ensure_ascii=False).encode()
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(g)).encode()
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(g, buf)
        return buf.getvalue()
    raise InvalidParameter("format", f"unknown graph format {fmt!r}; use one of "
                           + ", ".join(GRAPH_FORMATS))


def local_or_iri(ident: str) -> str:
    """Normalise a full resource IRI to its local id (view nodes are keyed by local id)."""
    return local_id(ident) if ident.startswith(ID) else ident


class ViewCache:
    """:func:`build_view` once per store version (rebuilt after any write)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version = -1
        self._view: nx.MultiDiGraph | None = None  # type: ignore[type-arg]
        self._lock = threading.Lock()

    def get(self) -> nx.MultiDiGraph:  # type: ignore[type-arg]
        with self._lock:
            if self._view is None or self._version != self.store.version:
                version = self.store.version
                self._view = build_view(self.store)
                self._version = version
            return self._view


def technologies(view: nx.MultiDiGraph) -> list[str]:  # type: ignore[type-arg]
    """Technology ids that some relation of ``view`` carries (for filter menus)."""
    found: set[str] = set()
    for _, _, d in view.edges(data=True):
        found.update(str(d.get("technology", "")).split())
    return sorted(found)
