"""``/screen``: paste a list of names or upload a CSV, see each match and its exposure.

A plain form (no script): the page posts to itself and renders the same result as
``POST /api/screen``; the CSV download re-posts the same list to the API with
``format=csv``.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ProjectionDep
from api.screen_input import rows_from
from graph import screening
from graph.errors import InvalidData, TooLarge
from graph.exposure import Filters
from graph.store import Store


def add_screen_pages(router: APIRouter, store: Store,
                     render: Callable[..., HTMLResponse]) -> None:
    """GET /screen (the form). The POST is on :func:`make_form_router`'s router, which is
    in the OpenAPI schema: every POST is, so that the write-route audit can walk it."""

    @router.get("/screen", response_class=HTMLResponse)
    def screen_form() -> HTMLResponse:
        return render("screen.html", title="Screen a portfolio", result=None, text="",
                      error=None, max_rows=screening.MAX_ROWS)


def make_form_router(store: Store, render: Callable[..., HTMLResponse]) -> APIRouter:
    router = APIRouter(tags=["pages"])

    @router.post("/screen", response_class=HTMLResponse,
                 summary="The /screen page's form: the screening as a page (read-only)")
    async def screen_page(request: Request, proj: ProjectionDep) -> HTMLResponse:
        error, result, rows = None, None, []
        try:
            rows = await rows_from(request)
            screening.check_size(rows)
            result = await run_in_threadpool(
                screening.screen, store, proj, rows, Filters(max_paths=0))
        except (InvalidData, TooLarge) as exc:
            error = str(exc)
        # The list as CSV again, for the download form and to refill the text box.
        text = screening.rows_csv(rows)
        return render("screen.html", title="Screen a portfolio", result=result,
                      text=text if rows else "", error=error, max_rows=screening.MAX_ROWS,
                      status=422 if error else 200)

    return router
