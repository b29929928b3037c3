"""``Idempotency-Key`` for ``POST /api/findings``: a retried request imports once.

A client that lost the response to a POST cannot tell whether the finding was imported;
retrying it imported the same finding twice (findings are imported with ``force``, as
two people may well post the same supply). With an ``Idempotency-Key`` header, the first
successful answer is kept for that token holder and key: the same key with the same
body gets the same answer again (``Idempotent-Replayed: true``) and imports nothing;
the same key with a different body is refused (409). A request still running under
the key makes a concurrent one wait for it. Refusals are not kept (nothing was
imported, so a corrected retry under the same key is fine).

Keys are kept in memory, the most recent :data:`MAX_KEYS` for :data:`TTL_SECONDS`: a
restart forgets them (the catalogue still shows every import with its time and actor).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi.responses import Response

from graph.errors import Conflict, InvalidParameter

HEADER = "Idempotency-Key"
MAX_KEYS = 10_000
TTL_SECONDS = 24 * 3600.0
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass
class _Kept:
    fingerprint: str
    status: int
    body: bytes
    at: float


class IdempotencyKeys:
    """Kept answers by (actor, key), and a lock per key for requests in flight."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._kept: OrderedDict[tuple[str, str], _Kept] = OrderedDict()
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._clock = clock

    async def run(self, actor: str, key: str | None, fingerprint: bytes,
                  answer: Callable[[], Awaitable[Response]]) -> Response:
        """``answer()``, or the answer kept for ``key`` if the body is the same."""
        if key is None:
            return await answer()
        if not _KEY.match(key):
            raise InvalidParameter(HEADER, "1 to 200 printable ASCII characters, no spaces")
        slot = (actor, key)
        digest = hashlib.sha256(fingerprint).hexdigest()
        lock = self._locks.setdefault(slot, asyncio.Lock())
        async with lock:
            kept = self._get(slot)
            if kept is not None:
                if kept.fingerprint != digest:
                    raise Conflict(f"{HEADER} {key!r} was already used with a different "
                                   "request; use a new key")
                return Response(kept.body, status_code=kept.status,
                                media_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
            response = await answer()
            if 200 <= response.status_code < 300:
                self._kept[slot] = _Kept(digest, response.status_code, bytes(response.body),
                                         self._clock())
                while len(self._kept) > MAX_KEYS:
                    old, _ = self._kept.popitem(last=False)
                    self._locks.pop(old, None)
            return response

    def _get(self, slot: tuple[str, str]) -> _Kept | None:
        kept = self._kept.get(slot)
        if kept is not None and self._clock() - kept.at > TTL_SECONDS:
            del self._kept[slot]
            return None
        return kept

