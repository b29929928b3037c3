"""The exposure view and the search page: server-rendered frames over the core functions.

The exposure page takes exactly the API's filters (:data:`api.deps.FilterQuery`: as-of,
max hops, minimum confidence, technology, unverified claims), keeps them in its URL, and
renders from one engine result per request: the score, its terms, the group and the paths
on the page are that result, and ``/static/exposure.js`` draws and highlights the same
result (embedded in the page) before it asks ``/api/exposure`` for anything. The drawing
and the as-of slider cover the whole history of the relations involved: every path and
group member under the same filters without a date, so moving the slider back and forth
(which updates the URL) never leaves the drawing without a hop the engine follows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api import graphviews
from api.deps import FilterQuery, NamesDep, ProjectionDep, ViewDep, resolve_id
from api.settings import Settings
from graph import entities, export_graph
from graph.description_model import LabelCache
from graph.errors import InvalidParameter, UnknownEntity
from graph.exposure import MAX_HOPS_LIMIT, Exposure, exposure
from graph.namespaces import RDFS, SKG, iri_of
from graph.projection import Projection, parse_interval
from graph.store import Store

#: Paths the page lists (the API's ``limit``; the score always uses every path): the
#: strongest 50 keep the page under 300 KB for the busiest exporter at 1M triples.
PAGE_PATHS = 50
#: Paths the drawing's navigator steps through (embedded in the page with their evidence;
#: all listed paths' evidence is in the tables below the drawing).
NAVIGATED_PATHS = 12


def _embedded(x: dict[str, Any] | None) -> dict[str, Any] | None:
    """What exposure.js reads of the result: the strongest paths, the score and its terms
    (the whole result, 50 paths with their sources, was 1.3 MB of page at 1M triples)."""
    if x is None:
        return None
    return {"paths": x["paths"][:NAVIGATED_PATHS], "score": x["score"],
            "total_paths": x["total_paths"],
            "truncated": x["truncated"] or len(x["paths"]) > NAVIGATED_PATHS,
            "score_terms": {**x["score_terms"], "targets": x["score_terms"]["targets"][:30]},
            "subject": x["subject"]}


#: Targets per page; paths listed (with their evidence) per target; nodes in the drawing.
TARGETS_PER_PAGE = 6
PATHS_PER_TARGET = 5
MAX_DRAWN_NODES = 120
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




def history_years(proj: Projection, result: Exposure) -> list[int]:
    """The years in which the relations of ``result`` (its hops and the ownership and
    succession records that put members in the group) start, happen or end."""
    recs = {h.relation["iri"] for p in result.paths for h in p.hops}
    recs |= {iri_of(v) for m in result.group for v in m.via}
    years: set[int] = set()
    for rec in recs:
        r = proj.records.get(rec)
        for text in (r.start, r.date, r.end) if r else ():
            iv = parse_interval(text or "")
            if iv:
                years.add(iv[0].year)
    return sorted(years)


def add_exposure_pages(router: APIRouter, store: Store, settings: Settings,
                       render: Callable[..., HTMLResponse],
                       not_found: Callable[[UnknownEntity], HTMLResponse]) -> None:

    @router.get("/search", response_class=HTMLResponse)
    def search_page(names: NamesDep, q: Annotated[str, Query(max_length=200)] = "",
                    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
        limit = 25
        rows, total = entities.search(store, q, limit=limit, offset=offset,
                                      index=names) if q else ([], 0)
        close = entities.suggest(store, q, index=names) if q and total < 3 and not offset \
            else []
        close = [c for c in close if c["id"] not in {r["id"] for r in rows}]
        return render("search.html", title="Search", q=q, results=rows, total=total,
                      offset=offset, limit=limit, suggestions=close)

    exposure_pages = graphviews.PageCache(store, size=64)

    @router.get("/exposure/{id:path}", response_class=HTMLResponse)
    def exposure_page(id: str, fp: FilterQuery, proj: ProjectionDep, view: ViewDep,
                      names: NamesDep,
                      page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
        return exposure_pages.html((id, fp, page), lambda: exposure_page_of(
            id, fp, proj, view, names, page))

    def exposure_page_of(id: str, fp: Any, proj: Projection, view: Any, names: Any,
                         page: int) -> HTMLResponse:
        try:
            iri = resolve_id(store, names, id)
        except UnknownEntity as exc:
            return not_found(exc)
        kind = no_exposure_kind(store, iri)
        if kind is not None:
            return render("no_exposure.html", title="No exposure score", ident=id,
                          kind=kind, label=LabelCache(store).ref(iri).label)
        f = fp.filters(PAGE_PATHS)
        error: InvalidParameter | None = None
        result: Exposure | None = None
        history: Exposure | None = None
        try:
            result = exposure(proj, iri, f)
            history = exposure(proj, iri, dataclasses.replace(f, as_of=None)) \
                if f.as_of else result
        except InvalidParameter as exc:
            error = exc
        x: dict[str, Any] | None = result.to_dict() if result else None
        nodes: set[str] = set()
        years: list[int] = []
        groups = by_target(x, page) if x is not None else None
        if history is not None:
            nodes = {m.entity.id for m in history.group}
            drawn = 0
            for path in history.paths:  # strongest first, until the drawing is full
                more = {n.id for n in path.nodes} - nodes
                if len(nodes | more) > MAX_DRAWN_NODES and drawn:
                    break
                nodes |= more
                drawn += 1
            if groups is not None:
                groups["drawn"] = drawn
            years = history_years(proj, history)
        sub = view.subgraph(n for n in nodes if n in view).copy()
        data = graphviews.vis_data(sub, focus=x["subject"]["id"] if x else None)
        this_year = dt.date.today().year
        as_of_span = parse_interval(f.as_of or "")
        as_of_year = as_of_span[0].year if as_of_span else None
        # From the year before the first relation began: the slider can show "before".
        year_min = min([*(y - 1 for y in years), *([as_of_year] if as_of_year else [])],
                       default=this_year - 10)
        year_max = max([this_year, *years])
        params = {"max_hops": fp.max_hops, "min_confidence": fp.min_confidence or "",
                  "include_unverified": fp.include_unverified,
                  "technology": fp.technology or "", "as_of": fp.as_of or ""}
        return render("exposure.html", title=f"Exposure: {x['subject']['label']}"
                      if x else "Exposure", ident=id, x=x, error=error, graph=data,
                      params=params, query=urlencode(fp.query()),
                      year_min=min(year_min, this_year - 1), year_max=year_max,
                      as_of_year=as_of_year, technologies=export_graph.technologies(view, proj),
                      levels=sorted(proj.levels.values(), key=lambda lv: lv.rank),
                      max_hops_limit=MAX_HOPS_LIMIT, page_paths=NAVIGATED_PATHS,
                      embed=_embedded(x), groups=groups,
                      page=page, max_drawn=MAX_DRAWN_NODES,
                      page_url=lambda n: "?" + urlencode({**fp.query(), "page": n}))
