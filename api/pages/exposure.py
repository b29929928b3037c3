"""The exposure view and the search page: server-rendered frames over the core functions.

The exposure page renders the score, its terms and the subject's group on the server;
``/static/exposure.js`` draws the paths in the graph, highlights them one by one, builds
the evidence table of each path from ``/api/exposure`` and replays the graph over time
with the as-of slider (relations that had not started or had ended are hidden).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api import graphviews
from api.routes.exposure import known, make_filters
from api.settings import Settings
from graph import entities, export_graph
from graph.description_model import LabelCache
from graph.errors import InvalidParameter, UnknownEntity
from graph.export_graph import ViewCache
from graph.exposure import MAX_HOPS_LIMIT, exposure
from graph.namespaces import RDFS, SKG
from graph.store import Store

#: Targets per page; paths listed (with their evidence) per target; nodes in the drawing.
TARGETS_PER_PAGE = 6
PATHS_PER_TARGET = 5
MAX_DRAWN_NODES = 120
#: Paths the page's path navigator steps through (the strongest).
PATHS_LISTED = 25
#: Classes that are not actors: sources are evidence, places are where things are.
_NOT_ACTORS = (("Source", "a source"), ("Place", "a place"), ("Claim", "a claim record"),
               ("Technology", "a technology"), ("Product", "a product"))


def no_exposure_kind(store: Store, iri: str) -> str | None:
    """What ``iri`` is when it has no exposure of its own (a source, a place...), else None."""
    for cls, text in _NOT_ACTORS:
        q = (f"ASK {{ <{iri}> a ?t . ?t <{RDFS}subClassOf>* <{SKG}{cls}> }}")
        if store.query(q):
            return text
    return None


def by_target(result: dict[str, Any], page: int) -> dict[str, Any]:
    """The result's paths grouped by target, strongest target first, one page of targets.

    Targets come in the order of the score's terms (their contribution); each lists its
    paths strongest first, at most :data:`PATHS_PER_TARGET`, with every hop's evidence.
    """
    paths: dict[str, list[dict[str, Any]]] = {}
    for p in result["paths"]:
        paths.setdefault(p["target"]["id"], []).append(p)
    terms = [t for t in result["score_terms"]["targets"] if t["target"]["id"] in paths]
    terms.sort(key=lambda t: (-t["contribution"], -t["best_path"], t["target"]["label"]))
    pages = max(1, -(-len(terms) // TARGETS_PER_PAGE))
    page = min(page, pages)
    chosen = terms[(page - 1) * TARGETS_PER_PAGE: page * TARGETS_PER_PAGE]
    groups = [{"term": t, "paths": paths[t["target"]["id"]][:PATHS_PER_TARGET],
               "listed_total": len(paths[t["target"]["id"]])} for t in chosen]
    shown = [p for g in groups for p in g["paths"]]
    return {"groups": groups, "pages": pages, "page": page, "targets": len(terms),
            "paths": sorted(shown, key=lambda p: -p["score"]), "shown": len(shown),
            "listed": len(result["paths"])}


def _year(value: str) -> int | None:
    return int(value[:4]) if value[:4].isdigit() else None


def add_exposure_pages(router: APIRouter, store: Store, settings: Settings,
                       render: Callable[..., HTMLResponse],
                       not_found: Callable[[UnknownEntity], HTMLResponse],
                       views: ViewCache) -> None:
    projections = graphviews.projection_cache(store)

    @router.get("/search", response_class=HTMLResponse)
    def search_page(q: Annotated[str, Query(max_length=200)] = "",
                    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
        limit = 25
        rows, total = entities.search(store, q, limit=limit, offset=offset) if q else ([], 0)
        close = entities.suggest(store, q) if q and total < 3 and not offset else []
        close = [c for c in close if c["id"] not in {r["id"] for r in rows}]
        return render("search.html", title="Search", q=q, results=rows, total=total,
                      offset=offset, limit=limit, suggestions=close)

    exposure_pages = graphviews.PageCache(store, size=64)

    @router.get("/exposure/{id:path}", response_class=HTMLResponse)
    def exposure_page(request: Request, id: str,
                      max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS_LIMIT)] = 4,
                      min_confidence: Annotated[str, Query(max_length=100)] = "",
                      include_unverified: bool = False,
                      technology: Annotated[str, Query(max_length=300)] = "",
                      as_of: Annotated[str, Query(max_length=10)] = "",
                      page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
        key = (id, max_hops, min_confidence, include_unverified, technology, as_of, page)
        return exposure_pages.html(key, lambda: exposure_page_of(
            request, id, max_hops, min_confidence, include_unverified, technology, as_of,
            page))

    def exposure_page_of(request: Request, id: str, max_hops: int, min_confidence: str,
                         include_unverified: bool, technology: str, as_of: str, page: int
                         ) -> HTMLResponse:
        try:
            iri = known(store, id)
        except UnknownEntity as exc:
            return not_found(exc)
        kind = no_exposure_kind(store, iri)
        if kind is not None:
            return render("no_exposure.html", title="No exposure score", ident=id,
                          kind=kind, label=LabelCache(store).ref(iri).label)
        proj = projections.get()
        f = make_filters(max_hops, None, min_confidence, technology, include_unverified, 200)
        try:
            result = exposure(proj, iri, f).to_dict()
            error = None
        except InvalidParameter as exc:
            result, error = None, exc
        view = views.get()
        groups = by_target(result, page) if result is not None else None
        nodes: set[str] = set()
        drawn = 0
        if result is not None and groups is not None:
            nodes = {m["entity"]["id"] for m in result["group"]}
            for path in groups["paths"]:  # strongest first, until the drawing is full
                more = {n["id"] for n in path["nodes"]} - nodes
                if len(nodes | more) > MAX_DRAWN_NODES and drawn:
                    break
                nodes |= more
                drawn += 1
            groups["drawn"] = drawn
        nodes = {n for n in nodes if n in view}
        sub = view.subgraph(nodes).copy()
        data = graphviews.vis_data(sub, focus=result["subject"]["id"] if result else None)
        years = [y for _, _, d in sub.edges(data=True)
                 for y in (_year(str(d.get("start", d.get("date", "")))),
                           _year(str(d.get("end", "")))) if y]
        this_year = dt.date.today().year
        first = min(years, default=this_year - 10)
        techs = export_graph.technologies(view)
        params = {"max_hops": max_hops, "min_confidence": min_confidence,
                  "include_unverified": include_unverified, "technology": technology}
        return render("exposure.html", title=f"Exposure: {result['subject']['label']}"
                      if result else "Exposure", ident=id, x=result, error=error,
                      graph=data, params=params, year_min=min(first, this_year - 1),
                      year_max=this_year, as_of=as_of, technologies=techs,
                      levels=sorted(proj.levels.values(), key=lambda lv: lv.rank),
                      max_hops_limit=MAX_HOPS_LIMIT, groups=groups, page=page,
                      path_limit=PATHS_LISTED, max_drawn=MAX_DRAWN_NODES,
                      page_url=lambda n: str(request.url.include_query_params(page=n)))
