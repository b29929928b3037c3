"""``/changes``: imports and retractions, newest first, with the exposure each changed;
links to the Atom feeds (all, watchlist, per organisation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from graph import watchlist
from graph.changes import changes
from graph.store import Store


def add_changes_page(router: APIRouter, store: Store,
                     render: Callable[..., HTMLResponse]) -> None:
    @router.get("/changes", response_class=HTMLResponse)
    async def changes_page(since: Annotated[str, Query(max_length=30)] = "",
                           watched: bool = False) -> HTMLResponse:
        watch = (watchlist.load(store) or ["(none)"]) if watched else []
        found = await run_in_threadpool(changes, store, since or None, None, watch)
        return render("changes.html", title="What changed", changes=found, since=since,
                      watched=watched)
