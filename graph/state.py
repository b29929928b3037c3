"""Where survkg keeps its own state beside the RDF data: tokens, the audit log, the
archive of imported files.

They live inside the store folder, next to RocksDB's files (as the bulk-load journal
does), so one folder is the whole installation: a backup copies it, ``--store`` moves
all of it, and nothing is left behind in a second location. An in-memory store has no
folder, nor has a remote store (a URL) here; their state is in memory (``None``).
"""

from __future__ import annotations

from pathlib import Path

from graph.remote_store import location_scheme
from graph.store import Store

TOKENS_FILE = "survkg-tokens.sqlite3"
AUDIT_FILE = "survkg-audit.jsonl"
IMPORTS_ARCHIVE = "survkg-imports"


def state_path(store: Store, name: str) -> Path | None:
    """``name`` inside the store folder, or None for an in-memory or a remote store (never
    a folder named ``http:``)."""
    if store.location == ":memory:" or location_scheme(store.location) is not None:
        return None
    return Path(store.location) / name

#: Local WARC captures of source URLs (``survkg archive``) and their index.
CAPTURES = "survkg-captures"
#: The watchlist: organisations whose changes the feed can be narrowed to.
WATCHLIST_FILE = "survkg-watchlist.json"
