"""One cache for everything derived from a store: rebuilt when the store's version changes.

The projection, the display view and the name index are each a pure function of the
store's contents; :class:`VersionCache` keeps the last one built with the version it was
built at. The web app holds one cache per derived object on ``app.state`` (no module
state); a CLI process builds what its command needs once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from graph.store import Store

T = TypeVar("T")


class VersionCache(Generic[T]):
    """``build(store)`` once per store version. ``get()`` is safe from several threads:
    one caller builds, the others wait for it."""

    def __init__(self, store: Store, build: Callable[[Store], T]) -> None:
        self.store = store
        self._build = build
        self._value: T | None = None
        self._version = -1
        self._lock = threading.Lock()

    def get(self) -> T:
        value, version = self._value, self._version
        if value is not None and version == self.store.version:
            return value
        with self._lock:
            if self._value is None or self._version != self.store.version:
                version = self.store.version
                self._value = self._build(self.store)
                self._version = version
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None
