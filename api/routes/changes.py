"""``GET /api/changes`` and the Atom feeds ``/changes.atom`` (all, per entity, watchlist).

Read-only, like every ``GET``: the events and their exposure effect come from
:mod:`graph.changes`; the feed from :mod:`graph.changes_feed`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import AUTH_RESPONSES, require_token
from api.deps import NamesDep, resolve_id
from api.routes import ERRORS
from graph import watchlist as watchlist_store
from graph.changes import changes
from graph.changes_feed import to_atom
from graph.errors import InvalidParameter, SurvkgError
from graph.namespaces import local_id, rid
from graph.store import Store

Since = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2}([T ][\d:.]+Z?)?)?)?$",
                                    description="ISO date or time")]
EntityId = Annotated[str | None, Query(max_length=500, description="An organisation id")]
Watched = Annotated[bool, Query(description="Only events that changed an organisation on "
                                "the watchlist")]


class WatchlistIn(BaseModel):
    organisations: list[str] = Field(max_length=10_000,
                                     description="Organisation ids (e.g. org/canon)")


Actor = Annotated[str, Depends(require_token)]


def _iri(entity: str | None) -> str | None:
    """The IRI of an id; not checked against the store: a retraction may have removed
    the organisation, and its feed must still say so."""
    if not entity:
        return None
    try:
        return entity if entity.startswith(("http://", "https://")) \
            else rid(entity.strip("/")).value
    except ValueError as exc:
        raise InvalidParameter("entity", f"not an id: {exc}") from None


def make_router(store: Store) -> APIRouter:
    router = APIRouter(responses=ERRORS)

    @router.get("/api/changes", tags=["graph"],
                summary="Imports and retractions with the exposure they changed")
    async def changes_route(since: Since = None, entity: EntityId = None,
                            watchlist: Watched = False) -> Any:
        """Newest first; each event lists the organisations whose exposure score it
        changed, with the score before and after and the paths gained and lost."""
        iri = _iri(entity)
        watch = _watch(watchlist)
        found = await run_in_threadpool(changes, store, since, iri, watch)
        return [c.to_dict() for c in found]

    @router.get("/changes.atom", include_in_schema=False)
    async def feed(request: Request, since: Since = None, entity: EntityId = None,
                   watchlist: Watched = False) -> Response:
        iri = _iri(entity)
        found = await run_in_threadpool(changes, store, since, iri, _watch(watchlist))
        path = "/changes.atom" + (f"?entity={quote(entity)}" if entity else
                                  "?watchlist=true" if watchlist else "")
        title = "survkg: what changed" + (f" for {entity}" if entity else "")
        body = to_atom(found, base_url=str(request.base_url), title=title, feed_path=path)
        return Response(body, media_type="application/atom+xml")

    def _watch(on: bool) -> list[str]:
        # Watching nothing filters out everything: an empty watchlist yields no events.
        return (watchlist_store.load(store) or ["(none)"]) if on else []

    @router.get("/api/watchlist", tags=["graph"], summary="The watchlist")
    def get_watchlist() -> dict[str, Any]:
        return {"organisations": [local_id(i) for i in watchlist_store.load(store)]}

    @router.put("/api/watchlist", tags=["writes"], responses=AUTH_RESPONSES,
                summary="Replace the watchlist (token)")
    async def put_watchlist(request: Request, body: WatchlistIn, actor: Actor,
                            names: NamesDep) -> dict[str, Any]:
        """Organisations whose changes ``?watchlist=true`` keeps; each id must exist."""
        log = request.app.state.audit
        entry = {"actor": actor, "operation": "watchlist"}
        try:
            iris = [resolve_id(store, names, i) for i in body.organisations]
            saved = await run_in_threadpool(watchlist_store.save, store, iris)
        except SurvkgError as exc:
            log.record(outcome=f"refused: {exc}", **entry)
            raise
        log.record(outcome="ok", detail=f"{len(saved)} organisation(s)", **entry)
        return {"organisations": [local_id(i) for i in saved]}

    return router
