"""``POST /api/screen``: portfolio screening, read-only and without a token.

The body is a CSV (``text/csv`` or ``text/plain``; a header with a ``name`` column, or
name, country, identifier by position), a JSON list (``application/json``: names or
``{name, country, identifier}`` objects) or a form upload (``file`` or ``text``). At most
:data:`graph.screening.MAX_ROWS` rows per request; the body is already bounded by
``max_body_bytes``. ``format=csv`` returns the table as CSV (the page's download).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import FilterQuery, ProjectionDep
from api.screen_input import rows_from
from api.settings import Settings
from graph import screening
from graph.store import Store

Format = Annotated[str, Query(pattern="^(json|csv)$", description="json or csv")]


def add_screen_routes(router: APIRouter, store: Store, settings: Settings) -> None:

    @router.post("/screen", summary="Screen a list of company names (read-only, no token)",
                 openapi_extra={"requestBody": {"content": {
                     "text/csv": {"schema": {"type": "string"}},
                     "application/json": {"schema": {"type": "array", "items": {}}}}}})
    async def screen_route(request: Request, fp: FilterQuery, proj: ProjectionDep,
                           format: Format = "json") -> Any:
        """For each row: the matched entity or none, how it matched (identifier, exact
        name, alias, Chinese name, fuzzy with its similarity, ambiguous with the
        candidates), its exposure score, top targets, number of paths and dossier link.
        ``survkg screen FILE --format json`` prints the same object."""
        rows = await rows_from(request)
        screening.check_size(rows)
        result = await run_in_threadpool(screening.screen, store, proj, rows,
                                         fp.filters(0))
        if format == "csv":
            return Response(screening.to_csv(result), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition":
                                     'attachment; filename="screening.csv"'})
        return result.to_dict()
