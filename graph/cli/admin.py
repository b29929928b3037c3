"""``survkg token``, ``survkg audit``, ``survkg backup`` and ``survkg restore``.

Administration of the write side, kept apart from the reading commands. The token
and audit commands read the state files in the store folder without opening the RDF
store, so they also work beside a running server (which holds the store's lock).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import click

from graph.cli.common import Location, local_folder, store_option
from graph.errors import InvalidParameter, SurvkgError
from graph.state import AUDIT_FILE, TOKENS_FILE
from graph.store import OxigraphStore


def _state(store_path: Location | None, name: str) -> Path:
    return local_folder(store_path) / name


@click.group()
def token() -> None:
    """Write tokens: every write route needs one (`Authorization: Bearer <token>`)."""


@token.command("create")
@click.argument("name")
@store_option
def token_create(name: str, store_path: Location | None) -> None:
    """Make a token named NAME (a person or a tool) and print its secret, once."""
    from graph.tokens import TokenStore
    secret = TokenStore(_state(store_path, TOKENS_FILE)).create(name)
    click.echo(secret)
    click.echo(f"token {name!r} created. Keep the secret now: only its hash is stored, "
               "and it will not be shown again.", err=True)


@token.command("revoke")
@click.argument("name")
@store_option
def token_revoke(name: str, store_path: Location | None) -> None:
    """Revoke the token NAME: writes with it are refused from now on."""
    from graph.tokens import TokenStore
    TokenStore(_state(store_path, TOKENS_FILE)).revoke(name)
    click.echo(f"token {name!r} revoked")


@token.command("list")
@store_option
def token_list(store_path: Location | None) -> None:
    """Every token: name, created, revoked, last used (never the secrets)."""
    from graph.queries import render_table
    from graph.tokens import TokenStore
    rows = [[t.name, t.created, t.revoked or "", t.last_used or ""]
            for t in TokenStore(_state(store_path, TOKENS_FILE)).list()]
    click.echo(render_table(["name", "created", "revoked", "last used"], rows))


@click.command()
@click.option("--limit", type=int, default=50, show_default=True, help="Latest entries.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: the entries as stored, one per line.")
@click.option("--verify", "check", is_flag=True,
              help="Check the whole hash chain, across rotated files; exit 1 naming the "
                   "first bad line.")
@click.option("--since-seq", type=click.IntRange(min=0), default=None,
              help="Page forward: the first --limit entries after this sequence number.")
@click.option("--before-seq", type=click.IntRange(min=1), default=None,
              help="Page backward: the last --limit entries before this sequence number.")
@store_option
def audit(limit: int, fmt: str, check: bool, since_seq: int | None, before_seq: int | None,
          store_path: Location | None) -> None:
    """The audit log: every write attempt, accepted or refused (docs/security-writes.md)."""

    from graph.audit import AuditLog
    from graph.queries import render_table
    log = AuditLog(_state(store_path, AUDIT_FILE))
    if log.recovered:
        click.echo(f"note: {log.recovered['detail']}", err=True)
    if check:
        log.verify()
        seq, head = log.head()
        click.echo(f"audit log intact: {seq} entries; head sha256 {head}")
        return
    entries = log.entries(limit=limit, since_seq=since_seq, before_seq=before_seq)
    if fmt == "json":
        for e in entries:
            click.echo(json.dumps(e, ensure_ascii=False))
        return
    click.echo(render_table(
        ["seq", "time", "actor", "operation", "graph", "outcome", "bytes", "triples"],
        [[str(e.get(k) if e.get(k) is not None else "") for k in
          ("seq", "time", "actor", "operation", "graph", "outcome", "bytes", "triples")]
         for e in entries]))


@click.command("backup")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@store_option
def backup_cmd(target: Path, store_path: Location | None) -> None:
    """Snapshot the store, its audit log, tokens and import archive into TARGET (a new or
    empty folder). Works while the server runs."""
    from graph.backup import backup
    location = local_folder(store_path)
    if not (location / "CURRENT").is_file():  # RocksDB's marker of a database
        raise InvalidParameter("--store", f"no store at {location}")
    # A read-only instance works beside a running server, but it does not stop that
    # server's compactions from replacing files it is opening: retry when that races.
    for attempt in range(1, 6):
        try:
            store = OxigraphStore(location, read_only=True)
            try:
                manifest = backup(store, target)
            finally:
                store.close()
            break
        except (OSError, RuntimeError) as exc:
            if attempt == 5:
                raise SurvkgError(f"backup failed 5 times, last: {exc}") from exc
            time.sleep(0.2 * attempt)
    sha = hashlib.sha256((target / "manifest.json").read_bytes()).hexdigest()
    click.echo(f"backed up {manifest.quads} quads, {manifest.audit_seq} audit entries, "
               f"{manifest.tokens or 0} tokens, {len(manifest.imports)} archived files "
               f"to {target}\ndataset sha256 {manifest.dataset_sha256}\n"
               f"manifest sha256 {sha} (note it to check the backup later)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
def restore_cmd(source: Path, store_path: Location | None) -> None:
    """Restore the backup in SOURCE into the store folder (which must be new or empty),
    and verify the dataset and audit chain against the backup's manifest."""
    from graph.backup import restore
    target = local_folder(store_path)
    manifest = restore(source, target)
    click.echo(f"restored {manifest.quads} quads and {manifest.audit_seq} audit entries "
               f"into {target}; dataset and audit chain verified against the manifest")


COMMANDS = [token, audit, backup_cmd, restore_cmd]
