"""``GET /api/audit``: the audit log's latest entries, for holders of a write token,
a page at a time (``since_seq`` forward, ``before_seq`` backward; never the whole log).

The log names who wrote what; it is not public, so reading it needs a token like a write
does (reading is not itself recorded).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel

from api.auth import AUTH_RESPONSES, require_token
from graph.audit import AuditLog


class AuditPage(BaseModel):
    """Entries oldest first, and the log's head (last ``seq``, SHA-256 of its line)."""

    entries: list[dict[str, Any]]
    head_seq: int
    head_hash: str


def make_router() -> APIRouter:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:  # refusals counted beyond the rate limit are written before exiting
            await asyncio.to_thread(app.state.audit.flush)

    router = APIRouter(tags=["audit"], lifespan=lifespan)

    @router.get("/audit", response_model=AuditPage, responses=AUTH_RESPONSES,
                summary="The audit log's latest entries (needs a token)")
    def audit(request: Request, actor: Annotated[str, Depends(require_token)],
              limit: Annotated[int, Query(ge=1, le=10_000,
                                          description="Latest entries to return")] = 100,
              since_seq: Annotated[int | None, Query(
                  ge=0, description="Page forward: the first `limit` entries after this "
                                    "sequence number")] = None,
              before_seq: Annotated[int | None, Query(
                  ge=1, description="Page backward: the last `limit` entries before this "
                                    "sequence number")] = None,
              ) -> AuditPage:
        """Every write attempt, accepted or refused: time, actor (token name), operation,
        graph, sizes, outcome, and the hash chain (``seq``, ``prev``); docs/security-writes.md
        describes the format."""
        log: AuditLog = request.app.state.audit
        seq, digest = log.head()
        return AuditPage(entries=log.entries(limit=limit, since_seq=since_seq,
                                             before_seq=before_seq),
                         head_seq=seq, head_hash=digest)

    return router
