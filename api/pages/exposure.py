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
from graph.errors import InvalidParameter, UnknownEntity
from graph.exposure import MAX_HOPS_LIMIT, Exposure, exposure
from graph.namespaces import iri_of
from graph.projection import Projection, parse_interval
from graph.store import Store

#: Paths the page lists (the API's ``limit``; the score always uses every path).
PAGE_PATHS = 200


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
        return render("search.html", title="Search", q=q, results=rows, total=total,
                      offset=offset, limit=limit)

    @router.get("/exposure/{id:path}", response_class=HTMLResponse)
    def exposure_page(id: str, fp: FilterQuery, proj: ProjectionDep, view: ViewDep,
                      names: NamesDep) -> HTMLResponse:
        try:
            iri = resolve_id(store, names, id)
        except UnknownEntity as exc:
            return not_found(exc)
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
        if history is not None:
            nodes = {m.entity.id for m in history.group}
            for path in history.paths:
                nodes.update(n.id for n in path.nodes)
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
                      as_of_year=as_of_year, technologies=export_graph.technologies(view),
                      levels=sorted(proj.levels.values(), key=lambda lv: lv.rank),
                      max_hops_limit=MAX_HOPS_LIMIT, page_paths=PAGE_PATHS)
