"""The app factory: one FastAPI application from a store and a settings object.

No module-level state: everything a route needs hangs off the app built here, so tests
build as many apps as they like, each on its own store. ``app.state`` holds the store,
the settings, the write tokens (``tokens``), the audit log (``audit``; these two live in
the store folder, in memory for an in-memory store) and the caches of what is derived
from the store (``projections``, ``views``, ``names``: see ``api/deps.py``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from api import apidocs, deps, errors, middleware, pages, routes, sparql
from api.routes import audit as audit_routes
from api.routes import changes as changes_routes
from api.settings import Settings
from graph import __version__
from graph.audit import open_audit
from graph.imports.recovery import reconcile
from graph.store import Store
from graph.tokens import open_tokens
from graph.updates import settle as settle_updates


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """Build the survkg application over ``store``."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="survkg",
        version=__version__,
        description="Evidence-backed knowledge graph of surveillance-technology supply chains.",
        docs_url=None,  # api/apidocs.py serves /docs without CDNs or inline script
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.tokens = open_tokens(store)
    app.state.audit = open_audit(store, settings.audit_refusals_per_minute)
    deps.install(app, store)  # projection, view and name index caches
    # A write a crash interrupted is settled before the first request (see
    # graph/imports/recovery.py): the audit log then agrees with the store.
    reconcile(store, app.state.audit)
    settle_updates(store, app.state.audit)

    @app.get("/healthz", response_class=PlainTextResponse, include_in_schema=False)
    def healthz() -> str:
        return "ok"

    errors.install(app)
    app.include_router(sparql.make_router(store, settings))
    app.include_router(routes.make_router(store, settings), prefix="/api")
    app.include_router(audit_routes.make_router(), prefix="/api")
    app.include_router(pages.make_router(store, settings))
    app.include_router(pages.make_form_router(store))
    app.include_router(changes_routes.make_router(store))
    app.include_router(apidocs.make_router())
    middleware.install(app, settings)
    return app
