"""How survkg runs under uvicorn: one configuration for ``survkg serve`` and the tests.

uvicorn on its own has three gaps a public endpoint cannot keep:

- **No deadline for a request's headers.** Its keep-alive timer runs only between
  requests and stops at the first byte, so a client that sends one header byte a second
  holds a connection forever (slowloris: 300 such connections were held open). The
  protocol below closes a connection whose request headers are not complete within
  ``header_timeout`` seconds of its first byte (or of the previous response).
- **Proxy headers trusted from loopback.** uvicorn believes ``X-Forwarded-For`` from
  127.0.0.1 by default, so any local process (or a proxy that does not set it) picks the
  client address that rate limits and the audit log see. Here they are trusted only from
  the addresses in ``trusted_proxies``, and not at all by default.
- **No body deadline.** That one is in ``api.middleware.BodyLimit`` (``body_timeout``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.settings import Settings

#: Largest request head (request line and headers) accepted, in bytes.
MAX_HEAD_BYTES = 64 * 1024


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # h11 moves past SEND_HEADERS... only once a whole request head has arrived.
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_for(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol class with this server's header deadline."""
    return type("SurvkgH11Protocol", (GuardedH11Protocol,),
                {"header_timeout": settings.header_timeout})


def uvicorn_config(app: Any, settings: Settings, *, host: str, port: int,
                   **options: Any) -> uvicorn.Config:
    """The uvicorn configuration survkg serves with (the CLI's and the tests')."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return uvicorn.Config(
        app, host=host, port=port, http=protocol_for(settings),
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
        timeout_keep_alive=5, h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        **options)
