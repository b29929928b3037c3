"""What every command shares: the ``--store`` option and opening the store for reading or
for writing, also while ``survkg serve`` holds it.

Oxigraph's store (RocksDB) admits one read-write process per folder. A running server is
that process, and the README's set-up is exactly that: ``make run``, then use the CLI. So
a reading command that finds the store held elsewhere opens a read-only instance beside it
(a consistent view of everything committed when the command started; see
bench/results/cli-start.md for why read-only rather than a secondary instance) and says
so on standard error; a writing command refuses with one sentence naming the server's
HTTP route, because two writers on one store would corrupt it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import SurvkgError
from graph.loading import open_store
from graph.store import OxigraphStore, default_store_path

F = TypeVar("F", bound=Callable[..., Any])

#: Where a write goes instead while the server holds the store (docs/imports.md).
SERVER_WRITES = ("the running server takes writes over HTTP with a token "
                 "(`survkg token create NAME`, then POST /api/import; see docs/imports.md), "
                 "or stop the server and run this command again")


class StoreInUse(SurvkgError):
    """A writing command found the store held by another process (a running server)."""

    def __init__(self, location: Path, command: str) -> None:
        super().__init__(f"the store at {location} is in use by another process "
                         f"(a running `survkg serve`?), so `survkg {command}` cannot write "
                         f"to it: {SERVER_WRITES}")


def store_option(func: F) -> F:
    """``--store PATH`` on every command that touches the store."""
    return click.option(
        "--store", "store_path", type=click.Path(path_type=Path), default=None,
        envvar="SURVKG_STORE", show_envvar=True,
        help="Store folder (default: a folder in the per-user data directory).")(func)


def _close_with_command(store: OxigraphStore) -> OxigraphStore:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    return store


def _is_store(location: Path) -> bool:
    return (location / "CURRENT").is_file()  # RocksDB's marker of a database


def open_write(path: Path | None) -> OxigraphStore:
    """Open the store read-write for this command (seeding it on first use), or refuse
    with :class:`StoreInUse` when another process holds it."""
    location = path or default_store_path()
    try:
        store = open_store(path)
    except OSError as exc:
        if not _is_store(location):
            raise
        ctx = click.get_current_context(silent=True)
        raise StoreInUse(location, ctx.info_name if ctx and ctx.info_name else "this command"
                         ) from exc
    return _close_with_command(store)


def open_read(path: Path | None) -> OxigraphStore:
    """Open the store for a command that only reads.

    The normal open (which seeds a new store and recovers an interrupted bulk load) is
    tried first; if another process holds the store, a read-only instance is opened
    beside it instead, with a note on standard error.
    """
    location = path or default_store_path()
    try:
        return _close_with_command(open_store(path))
    except OSError:
        if not _is_store(location):
            raise
    store = read_only_view(location)
    click.echo(f"note: the store at {location} is in use by another process (a running "
               "`survkg serve`?) or not writable; reading a read-only view of it as of now",
               err=True)
    return _close_with_command(store)


def read_only_view(location: Path, attempts: int = 8) -> OxigraphStore:
    """A read-only instance of the store at ``location``, beside the process that writes it.

    Opening reads the list of the database's files and then opens them; the writer's
    flushes and compactions can replace a file in between (RocksDB then reports a missing
    ``.sst``). Measured with imports arriving every few tens of milliseconds, about one
    open in eight hit that (bench/results/cli-start.md); a retry after a short pause opens
    the newer list.
    """
    for attempt in range(1, attempts + 1):
        try:
            return OxigraphStore(location, read_only=True)
        except (OSError, RuntimeError) as exc:
            if attempt == attempts:
                raise SurvkgError(f"could not open a read-only view of the store at "
                                  f"{location} beside the process writing it ({exc}); "
                                  "run the command again") from exc
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")
