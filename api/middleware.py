"""Middleware for every response: security headers, a request-body limit, rate limiting.

Pure ASGI (no ``BaseHTTPMiddleware``): they wrap ``receive``/``send`` and cost a few
microseconds per request, which the endpoint benchmark needs.

- **Headers.** A strict Content-Security-Policy on *all* responses (scripts and
  everything else from this host only, no inline script, no plugins, no framing),
  ``nosniff``, no referrer. Pages must never load anything from another host.
  An unexpected error still answers 500 *with* these headers (it is sent here, before
  Starlette's outermost error handler, which sits outside every middleware).
- **Body limit.** ``Content-Length`` over ``max_body_bytes`` is refused before reading
  (413); a chunked body is counted as it arrives and cut off at the limit. A body still
  incomplete ``body_timeout`` seconds after the request started is answered 408.
- **Rate limit.** A token bucket per client address: ``rate_limit_per_minute`` requests
  a minute with bursts of the same size; past it, 429 with ``Retry-After`` (seconds until
  a token is back). ``/healthz`` is exempt so that monitoring sees a flooded server as up.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

from api.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# img-src also allows data: and blob: images (icons inlined in stylesheets, PNG export of a
# canvas); images cannot run script and load nothing from another host.
CSP = ("default-src 'self'; script-src 'self'; img-src 'self' data: blob:; "
       "object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
EXEMPT_PATHS = frozenset(("/healthz",))


async def _plain(send: Send, status: int, detail: str,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    kind = {408: "RequestTimeout", 413: "TooLarge", 429: "TooManyRequests",
            500: "InternalError"}.get(status, "Error")
    body = json.dumps({"error": kind, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in SECURITY_HEADERS if h[0] not in present]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:  # never the exception's text: it may hold internals
                await _plain(send_with_headers, 500, "internal server error; the error "
                             "was logged")
            raise  # logged by the server; the response above is already sent


class BodyTooLarge(Exception):
    pass


class BodyTooSlow(Exception):
    pass


class BodyLimit:
    """``limit`` bytes per request body; paths in ``larger`` (imports) get their own.

    The body must also be complete within ``timeout`` seconds of the request's start.
    """

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None,
                 timeout: float = 30.0) -> None:
        self.app = app
        self.default = limit
        self.larger = larger or {}
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.larger.get(scope.get("path", ""), self.default)
        detail = f"request body over the {limit}-byte limit"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    return await _plain(send, 413, detail, [(b"connection", b"close")])
        seen = 0
        started = False
        complete = False
        #: Set when the body is cut off: (status, message), answered whatever the route does.
        cut: tuple[int, str] | None = None
        deadline = asyncio.get_running_loop().time() + self.timeout

        async def counting_receive() -> Message:
            nonlocal seen, complete, cut
            if complete:  # only disconnects are left to wait for: no deadline
                return await receive()
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), max(left, 0.001))
            except TimeoutError:
                cut = (408, f"request body not received within {self.timeout:g} s")
                raise BodyTooSlow from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if seen > limit:
                    cut = (413, detail)
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            # A route that caught the cut-off (FastAPI turns any error while reading a
            # JSON body into 400) still answers 413 or 408: its own response is dropped.
            nonlocal started
            if cut is not None:
                if not started:
                    started = True
                    await _plain(send, cut[0], cut[1], [(b"connection", b"close")])
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _plain(send, 413, detail, [(b"connection", b"close")])
        except BodyTooSlow:
            if not started:
                await _plain(send, 408, f"request body not received within "
                             f"{self.timeout:g} s", [(b"connection", b"close")])


class RateLimit:
    """Token bucket per client address (in memory; one process serves everything)."""

    def __init__(self, app: ASGIApp, per_minute: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def _take(self, client: str) -> float:
        """0 when the request may pass, else the seconds until it would."""
        now = self.clock()
        if len(self.buckets) > 100_000:  # forget clients idle for a minute (full again)
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
        tokens, last = self.buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.buckets[client] = (tokens - 1, now)
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self._take(client)
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            return await _plain(send, 429, f"too many requests; retry in {retry} s",
                                [(b"retry-after", retry.encode())])
        await self.app(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware; the last added runs first (headers wrap everything)."""
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       larger={"/api/import": settings.max_import_bytes},
                       timeout=settings.body_timeout)
    if settings.rate_limit_per_minute > 0:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(SecurityHeaders)
