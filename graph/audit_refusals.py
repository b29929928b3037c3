"""How the audit log records refused attempts without letting them fill the disk.

Every write attempt is recorded, refused ones included; but a refused attempt is made by
someone the server does not trust (an anonymous client, an invalid token, a file that
fails its checks), so recording it in full hands that someone the disk: 25 refused
2 MiB SPARQL updates once took the log from 5 KB to 50 MB in two seconds. Two limits:

* **Digest, not payload.** In a refused entry, any text field longer than
  :data:`EXCERPT_CHARS` is kept as its first characters, its length and its SHA-256
  (enough to recognise a repeated payload, or to match one kept elsewhere).
* **Counted, not written, beyond a rate.** Per client (its address, else the actor),
  the first :attr:`RefusalLimiter.per_window` refusals of a window of
  :attr:`RefusalLimiter.window` seconds are written one by one; the rest are counted and
  written as one ``audit.suppressed`` entry (how many, their bytes, first and last time,
  operations) when the client's window has passed.

Accepted writes are authenticated and never limited: they are always written in full.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graph.tokens import now

#: Longest text kept verbatim in a refused entry's field.
EXCERPT_CHARS = 200
#: Longest ``outcome`` or ``detail`` kept in a refused entry.
MESSAGE_CHARS = 1000
#: Refused attempts written in full per client and window, and the window in seconds.
PER_WINDOW = 20
WINDOW_SECONDS = 60.0
#: Clients tracked at once; beyond it, stale ones are dropped first, then all share one.
MAX_CLIENTS = 10_000
_SHARED = "(other clients)"


def is_refusal(outcome: str) -> bool:
    return outcome.startswith("refused")


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` of a refused entry with long texts replaced by excerpt, length and
    SHA-256 (``update`` -> ``update`` excerpt, ``update_chars``, ``update_sha256``); a
    long list or object is treated as its JSON text."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, list | dict | tuple):  # e.g. thousands of using-graph-uri
            text = json.dumps(value, ensure_ascii=False, default=str)
            value = value if len(text) <= EXCERPT_CHARS else text
        if isinstance(value, str) and key in ("outcome", "detail"):
            out[key] = value if len(value) <= MESSAGE_CHARS else value[:MESSAGE_CHARS] + "…"
        elif isinstance(value, str) and len(value) > EXCERPT_CHARS:
            raw = value.encode("utf-8", "surrogatepass")
            out[key] = value[:EXCERPT_CHARS] + "…"
            out[f"{key}_chars"] = len(value)
            out[f"{key}_sha256"] = hashlib.sha256(raw).hexdigest()
        else:
            out[key] = value
    return out


@dataclass
class _Window:
    start: float
    written: int = 0
    suppressed: int = 0
    bytes: int = 0
    first: str | None = None
    last: str | None = None
    operations: Counter[str] = field(default_factory=Counter)


class RefusalLimiter:
    """Per-client windows of refused attempts (not thread-safe: the log holds its lock)."""

    def __init__(self, per_window: int = PER_WINDOW, window: float = WINDOW_SECONDS,
                 clock: Any = time.monotonic) -> None:
        self.per_window = per_window
        self.window = window
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    @staticmethod
    def client_of(actor: str, fields: dict[str, Any]) -> str:
        client = fields.get("client")
        return str(client) if client else f"actor:{actor}"

    def admit(self, client: str, fields: dict[str, Any]) -> bool:
        """Whether to write this refusal in full; if not, it is counted. Call :meth:`due`
        first, so that a passed window's summary is written before a new window starts."""
        if self.per_window <= 0:
            return True
        t = self._clock()
        win = self._windows.get(client)
        if win is None and len(self._windows) >= MAX_CLIENTS:
            self._prune(t)
            if len(self._windows) >= MAX_CLIENTS:
                win = self._windows.get(_SHARED)
                client = _SHARED
        if win is None or t - win.start >= self.window:
            win = self._windows[client] = _Window(t)
        if win.written < self.per_window:
            win.written += 1
            return True
        win.suppressed += 1
        size = fields.get("bytes")
        win.bytes += size if isinstance(size, int) else 0
        stamp = now()
        win.first = win.first or stamp
        win.last = stamp
        win.operations[str(fields.get("operation"))] += 1
        return False

    def due(self, everything: bool = False) -> list[dict[str, Any]]:
        """``audit.suppressed`` entries for windows that have passed (all with
        ``everything``), and those windows forgotten."""
        t = self._clock()
        out: list[dict[str, Any]] = []
        for client, win in list(self._windows.items()):
            if not (everything or t - win.start >= self.window):
                continue
            del self._windows[client]
            if win.suppressed:
                out.append({
                    "actor": "survkg", "operation": "audit.suppressed",
                    "outcome": f"refused: {win.suppressed} more refused attempt(s) from "
                               f"this client, counted and not written one by one",
                    "graph": None, "bytes": win.bytes, "triples": None,
                    "detail": f"more than {self.per_window} refusals within "
                              f"{self.window:g} s", "client": client,
                    "count": win.suppressed, "first": win.first, "last": win.last,
                    "operations": dict(win.operations.most_common(10))})
        return out

    def _prune(self, t: float) -> None:
        for client, win in list(self._windows.items()):
            if t - win.start >= self.window and not win.suppressed:
                del self._windows[client]
