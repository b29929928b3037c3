"""Search, exposure, suppliers, paths, chokepoints, ranking and shortest path.

The exposure routes take the CLI's filters and return the engine's ``to_dict()``
unchanged: ``GET /api/exposure/{id}`` is the object ``survkg exposure --format json``
prints (``limit`` is the CLI's ``--max-paths``).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query

from api import graphviews
from api.deps import FilterQuery, NamesDep, ProjectionDep, ViewDep, resolve_id
from api.models import (
    ChokepointsOut,
    ExposureOut,
    PathsOut,
    RankingOut,
    SearchPage,
    ShortestPath,
    SuppliersOut,
)
from api.settings import Settings
from graph import entities
from graph.errors import UnknownEntity
from graph.export_graph import local_or_iri
from graph.exposure import chokepoints, exposure, paths_between, ranking, suppliers
from graph.store import Store

Limit = Annotated[int, Query(ge=1, le=1000, description="Paths to list (scores use all)")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Paths to skip")]
Ident = Annotated[str, Query(min_length=1, max_length=500, description="An entity id or "
                                                                         "exact name")]

#: Relations a shortest path may follow by default: the ones that carry exposure or
#: corporate structure. "located in" is followed only when asked (``via_location``): two
#: entities in one country are not connected in any sense a reader would follow; nor are
#: two entities flagged with the same risk indicator (a category, not a link).
PATH_KINDS = frozenset({"supply", "supply-programme", "participation", "ownership",
                        "succession", "maker"})


def _page(result: dict[str, Any], offset: int) -> dict[str, Any]:
    if offset:
        result["paths"] = result.get("paths", [])[offset:]
    result["offset"] = offset
    return result


def add_exposure_routes(router: APIRouter, store: Store, settings: Settings) -> None:
    def known(names: entities.NameIndex, ident: str) -> str:
        return resolve_id(store, names, ident)

    @router.get("/search", response_model=SearchPage, summary="Search entities by name")
    def search(q: Annotated[str, Query(max_length=200, description="Text in a label, alias, "
                                       "Chinese name or id")] = "",
               type: Annotated[str | None, Query(max_length=200, description="Class local "
                                                 "name, e.g. Organisation")] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 20,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
               *, names: NamesDep) -> SearchPage:
        """Labels, aliases and Chinese names containing ``q`` (case-insensitive), best first;
        when fewer than three contain it, ``suggestions`` lists close names ("Cannon" ->
        Canon) with their types."""
        rows, total = entities.search(store, q, type=type or None, limit=limit, offset=offset,
                                      index=names)
        close = entities.suggest(store, q, index=names) if total < 3 and not offset else []
        return SearchPage.model_validate({"results": rows, "total": total, "limit": limit,
                                          "offset": offset, "suggestions": close})

    @router.get("/exposure/{id:path}", response_model=ExposureOut,
                summary="Exposure paths from an organisation's group to risk targets")
    def exposure_route(id: str, fp: FilterQuery, proj: ProjectionDep, names: NamesDep,
                       limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """The same JSON object as ``survkg exposure ID --format json`` (with ``limit`` as
        ``--max-paths``); every hop carries its relation, dates, sources, confidence and
        any company response; ``score_terms`` shows the score's every term. ``id`` may
        also be an exact name (``Axis Communications``)."""
        iri = known(names, id)
        f = fp.filters(limit + offset)
        return _page(exposure(proj, iri, f).to_dict(), offset)

    @router.get("/suppliers/{id:path}", response_model=SuppliersOut,
                summary="Which suppliers feed an end user or programme")
    def suppliers_route(id: str, fp: FilterQuery, proj: ProjectionDep, names: NamesDep,
                        limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        iri = known(names, id)
        f = fp.filters(limit + offset)
        return _page(suppliers(proj, iri, f).to_dict(), offset)

    @router.get("/paths", response_model=PathsOut,
                summary="Supply and participation paths between two entities")
    def paths_route(source: Ident, target: Ident, fp: FilterQuery, proj: ProjectionDep,
                    names: NamesDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        a, b = known(names, source), known(names, target)
        f = fp.filters(limit + offset)
        return _page(paths_between(proj, a, b, f).to_dict(), offset)

    @router.get("/chokepoints", response_model=ChokepointsOut,
                summary="Where exposure concentrates, and the minimum cut")
    def chokepoints_route(fp: FilterQuery, proj: ProjectionDep, names: NamesDep,
                          exporter: Annotated[list[str] | None, Query(
                              max_length=50, description="Exporter ids (repeatable); "
                              "default every supplier")] = None,
                          top: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
        chosen = [known(names, e) for e in exporter] if exporter else None
        f = fp.filters(50)
        return chokepoints(proj, f, exporters=chosen, top=top).to_dict()

    @router.get("/ranking", response_model=RankingOut,
                summary="Organisations ranked by exposure score")
    def ranking_route(fp: FilterQuery, proj: ProjectionDep,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                      offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict[str, Any]:
        f = fp.filters(0)
        out = ranking(proj, f).to_dict()
        out["total"] = len(out["entries"])
        out["entries"] = out["entries"][offset: offset + limit]
        return out

    @router.get("/shortest-path", response_model=ShortestPath,
                summary="Shortest path between two nodes of the graph view")
    def shortest_path(source: Ident, target: Ident, view: ViewDep, names: NamesDep,
                      via_location: Annotated[bool, Query(
                          description="Also follow 'located in' links")] = False
                      ) -> dict[str, Any]:
        """Over supply, programme, participation, ownership, succession and maker relations
        ("located in" only with ``via_location``): a path along the relations'
        direction (source downstream to target, or target to source) when there is one,
        else ignoring direction (``direction`` says which: forward, backward, any). Returns
        the node ids, the vis edge ids on the path and the path as a vis view."""
        a, b = (local_or_iri(known(names, x)) for x in (source, target))
        for x, raw in ((a, source), (b, target)):
            if x not in view:
                raise UnknownEntity(raw, [])
        kinds = PATH_KINDS | ({"location"} if via_location else set())
        nodes, direction = shortest_route(view, a, b, kinds)
        edges = [edge_id(view, x, y, kinds, direction) for x, y in itertools.pairwise(nodes)]
        sub = view.subgraph(nodes).copy()
        return {"source": a, "target": b, "found": bool(nodes), "nodes": nodes,
                "labels": [str(view.nodes[n].get("label", n)) for n in nodes],
                "edges": [e for e in edges if e], "direction": direction,
                "view": graphviews.vis_data(sub)}


def shortest_route(view: nx.MultiDiGraph, a: str, b: str,  # type: ignore[type-arg]
                   kinds: frozenset[str] | set[str]) -> tuple[list[str], str]:
    """The fewest-hop route from ``a`` to ``b`` over edges of ``kinds``: along the edges
    (``forward``), against them (``backward``: ``b`` reaches ``a``), else either way."""
    sub = nx.subgraph_view(view, filter_edge=lambda x, y, k: view.edges[x, y, k].get(
        "kind") in kinds)
    for graph, direction in ((sub, "forward"), (sub.reverse(copy=False), "backward"),
                             (sub.to_undirected(as_view=True), "any")):
        try:
            return list(nx.shortest_path(graph, a, b)), direction
        except nx.NetworkXNoPath:
            continue
    return [], "none"


def edge_id(view: nx.MultiDiGraph, x: str, y: str,  # type: ignore[type-arg]
            kinds: frozenset[str] | set[str], direction: str) -> str | None:
    """The vis id (``from|to|key``) of an edge of ``kinds`` joining ``x`` to ``y`` on a
    route found in ``direction``."""
    pairs = {"forward": [(x, y)], "backward": [(y, x)]}.get(direction, [(x, y), (y, x)])
    for s, t in pairs:
        data: dict[Any, dict[str, Any]] = view.get_edge_data(s, t, default={})
        keys = sorted(str(k) for k, d in data.items() if d.get("kind") in kinds)
        if keys:
            return f"{s}|{t}|{keys[0]}"
    return None
