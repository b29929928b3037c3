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

from graph.errors import StoreLocationError, SurvkgError
from graph.loading import open_remote_store, open_store
from graph.remote_store import REMOTE_SCHEMES, location_scheme
from graph.store import OxigraphStore, Store, default_store_path

#: A store location as the commands get it: a folder, or an http(s) URL of a remote store.
Location = Path | str

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S", bound=Store)

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


class StoreLocationType(click.ParamType):  # type: ignore[type-arg]
    """A folder path, or the URL of a remote SPARQL store (kept as text: a ``Path`` would
    fold ``http://`` into ``http:/``); any other URL scheme is refused, never a folder."""

    name = "store"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Location:
        if isinstance(value, Path):
            return value
        text = str(value)
        scheme = location_scheme(text)
        if scheme is None:
            return Path(text).expanduser()
        if scheme in REMOTE_SCHEMES:
            return text
        self.fail(str(StoreLocationError(text)), param, ctx)


def store_option(func: F) -> F:
    """``--store PATH|URL`` on every command that touches the store."""
    return click.option(
        "--store", "store_path", type=StoreLocationType(), default=None,
        envvar="SURVKG_STORE", show_envvar=True,
        help="Store folder (default: a folder in the per-user data directory), or the "
             "http(s) URL of a remote SPARQL 1.1 store (docs/remote-store.md).")(func)


def local_folder(path: Location | None) -> Path:
    """The store folder, for commands that work on files beside the store (tokens, the
    audit log, backups, writes): a remote store has none here, so it is refused."""
    if isinstance(path, str):
        raise StoreLocationError(path, remote=True)
    return path or default_store_path()


def _close_with_command(store: S) -> S:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    return store


def _is_store(location: Path) -> bool:
    return (location / "CURRENT").is_file()  # RocksDB's marker of a database


def open_write(path: Location | None) -> OxigraphStore:
    """Open the store read-write for this command (seeding it on first use), or refuse
    with :class:`StoreInUse` when another process holds it (and a remote store: commands
    that keep state beside the store need a folder; ``survkg load`` opens a URL itself)."""
    location = local_folder(path)
    path = location
    try:
        store = open_store(path)
    except OSError as exc:
        if not _is_store(location):
            raise
        ctx = click.get_current_context(silent=True)
        raise StoreInUse(location, ctx.info_name if ctx and ctx.info_name else "this command"
                         ) from exc
    return _close_with_command(store)


def open_read(path: Location | None) -> Store:
    """Open the store for a command that only reads.

    The normal open (which seeds a new store and recovers an interrupted bulk load) is
    tried first; if another process holds the store, a read-only instance is opened
    beside it instead, with a note on standard error. A URL opens the remote store.
    """
    if isinstance(path, str):
        return _close_with_command(open_remote_store(path))
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
