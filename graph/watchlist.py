"""The watchlist: a saved set of organisations that narrows the changes feed.

Kept as a small JSON file in the store folder (so backups and ``--store`` carry it),
written atomically. Editing it is a write (the API asks for a token and audits it);
reading it is not.
"""

from __future__ import annotations

import json

from graph.errors import InvalidParameter
from graph.state import WATCHLIST_FILE, state_path
from graph.store import Store, write_durably_bytes


def load(store: Store) -> list[str]:
    """The watched organisations' IRIs (empty when none are saved)."""
    path = state_path(store, WATCHLIST_FILE)
    if path is None or not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [str(x) for x in data.get("organisations", [])]


def save(store: Store, iris: list[str]) -> list[str]:
    path = state_path(store, WATCHLIST_FILE)
    if path is None:
        raise InvalidParameter("store", "an in-memory store keeps no watchlist")
    if len(iris) > 10_000:
        raise InvalidParameter("organisations", "at most 10,000 organisations")
    unique = list(dict.fromkeys(iris))
    write_durably_bytes(path, json.dumps({"organisations": unique}, indent=1).encode())
    return unique
