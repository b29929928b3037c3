"""SPARQL Update for operators: off by default, bearer token, one transaction, audit log.

The public endpoint is read-only. An operator who sets ``updates_enabled`` *and* a
``write_token`` can send updates with ``Authorization: Bearer <token>``; each one is
parsed in a throw-away process first (the parser can crash on hostile input), then run
in one engine transaction (all operations or none), and recorded, refused ones included,
as one JSON line in ``audit_log``: when, who (client address and a fingerprint of the
token, never the token), what (the update text) and the result.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from api.settings import Settings
from graph.errors import QueryError, SurvkgError

log = logging.getLogger("survkg.audit")


class UpdateForbidden(SurvkgError):
    """Updates are disabled on this endpoint (403)."""


class Unauthorized(SurvkgError):
    """No or a wrong bearer token (401)."""


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def authorise(settings: Settings, authorization: str | None) -> str:
    """The caller's token fingerprint, or raise when updates are off or the token is wrong."""
    if not settings.updates_enabled or not settings.write_token:
        raise UpdateForbidden("SPARQL Update is disabled on this endpoint (read-only)")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), settings.write_token.encode()):
        raise Unauthorized("SPARQL Update needs 'Authorization: Bearer <write token>'")
    return fingerprint(given.strip())


class AuditLog:
    """Append-only JSON lines, flushed and fsynced before the update is acknowledged."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, **entry: Any) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **entry}
        line = json.dumps(entry, ensure_ascii=False)
        log.info(line)
        if self.path is None:
            return
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    async def arecord(self, **entry: Any) -> None:
        await asyncio.to_thread(self.record, **entry)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, QueryError | SurvkgError):
        return f"refused: {exc}"
    return f"failed: {type(exc).__name__}: {exc}"
