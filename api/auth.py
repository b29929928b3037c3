"""Bearer-token authentication of write routes, with every refusal audited.

A write route takes ``actor: Annotated[str, Depends(require_token)]``: the dependency
returns the token's name (which the route puts in its own audit entry) or answers 401
with ``WWW-Authenticate: Bearer`` after recording the refused attempt. Declaring the
dependency is also what marks the route in OpenAPI (the ``bearerToken`` scheme), and
what tests/test_write_auth.py checks on every non-read route.

Tokens come from the store's :class:`graph.tokens.TokenStore` (``app.state.tokens``);
``SURVKG_WRITE_TOKEN``, when set, is accepted too, recorded as the actor
``env:SURVKG_WRITE_TOKEN`` (a name no created token can have).
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.models import ErrorBody
from api.settings import Settings
from graph.audit import AuditLog
from graph.errors import SurvkgError, Unauthorized
from graph.remote_store import SparqlHttpStore
from graph.tokens import TokenStore

#: Why a server over a remote store takes no writes (docs/remote-store.md).
REMOTE_WRITES = ("this server reads a remote SPARQL store and takes no writes (its write "
                 "tokens and audit log live beside an embedded store only); load data with "
                 "`survkg load --store URL` or the store's own loader")


class ReadOnlyServer(SurvkgError):
    """A write route on a server that only reads (a remote store): 403."""


ENV_ACTOR = "env:SURVKG_WRITE_TOKEN"
REFUSED = "refused: 401"

bearer = HTTPBearer(
    auto_error=False, scheme_name="bearerToken",
    description="A write token from `survkg token create NAME` "
                "(`Authorization: Bearer skg_...`). Read routes need none.")

#: ``responses=`` for a write route, so that its 401 is part of the schema.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid write token (none, unknown or "
                                             "revoked); the attempt is in the audit log"},
}


def walk_routes(routes: Iterable[object]) -> Iterator[tuple[str, APIRoute]]:
    """(full path template, route) of every API route, inside included routers too.

    FastAPI 0.16x keeps an included router as one entry of ``app.routes`` whose routes
    keep their own, unprefixed paths; its effective contexts carry the full path.
    """
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts():
                if isinstance(ctx.original_route, APIRoute):
                    yield ctx.path_format, ctx.original_route
        elif isinstance(route, APIRoute):
            yield route.path_format, route


def operation_of(request: Request) -> str:
    """``METHOD /route/{template}``: the route as declared, not the concrete URL."""
    route = request.scope.get("route")
    path = next((p for p, r in walk_routes(request.app.routes) if r is route),
                getattr(route, "path", request.url.path))
    return f"{request.method} {path}"


def _body_size(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    return int(raw) if raw and raw.isdigit() else None


def check(request: Request, secret: str | None, *, operation: str | None = None,
          **extra: object) -> str:
    """The actor for ``secret`` or, after recording the refusal, :class:`Unauthorized`.

    Blocking (SQLite, an fsynced audit line): call it from a thread in async code.
    """
    tokens: TokenStore = request.app.state.tokens
    settings: Settings = request.app.state.settings
    if isinstance(request.app.state.store, SparqlHttpStore):
        operation = operation or operation_of(request)
        request.app.state.audit.record(actor="unchecked", operation=operation,
                                       outcome="refused: 403 remote store",
                                       path=request.url.path)
        raise ReadOnlyServer(f"{operation} is refused: {REMOTE_WRITES}")
    if secret:
        name = tokens.verify(secret)
        if name is not None:
            return name
        if settings.write_token and hmac.compare_digest(secret.encode(),
                                                        settings.write_token.encode()):
            return ENV_ACTOR
        known = tokens.lookup(secret)
        actor = "invalid token"
        detail = (f"revoked token {known.name!r} (revoked {known.revoked})" if known
                  else "unknown token")
    else:
        actor, detail = "anonymous", "no bearer token"
    audit: AuditLog = request.app.state.audit
    fields: dict[str, Any] = {
        "bytes": _body_size(request), "path": request.url.path,
        "client": request.client.host if request.client else None, **extra}
    audit.record(actor=actor, operation=operation or operation_of(request), outcome=REFUSED,
                 detail=detail, **fields)
    raise Unauthorized(f"{operation or operation_of(request)} needs a valid write token "
                       f"('Authorization: Bearer <token>'): {detail}")


def secret_from(authorization: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header value, else None."""
    scheme, _, given = (authorization or "").partition(" ")
    return given.strip() or None if scheme.lower() == "bearer" else None


async def require_token(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """FastAPI dependency of every write route: the token's name, or 401 (audited)."""
    secret = credentials.credentials if credentials else None
    return await asyncio.to_thread(check, request, secret)
