"""``survkg import``, ``survkg imports`` and ``survkg retract``: researchers' writes.

Kept apart from the reading and administration commands because every command here
writes evidence and goes through the same discipline: the import pipeline, the audit
log (opened beside the store), and a reconciliation of any write a crash left open.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graph.cli.common import Location, open_read, open_write, store_option
from graph.formats import IMPORTS

if TYPE_CHECKING:
    from graph.imports.pipeline import ImportResult
    from graph.store import OxigraphStore


def _default_max_bytes() -> int:
    """The pipeline's own limit (read when the command runs, not at start-up)."""
    from graph.imports.pipeline import DEFAULT_MAX_BYTES
    return DEFAULT_MAX_BYTES


def _audit(store: OxigraphStore) -> Any:
    from graph.audit import open_audit
    from graph.imports.recovery import reconcile
    audit = open_audit(store)
    reconcile(store, audit)
    return audit


def _actor(name: str | None) -> str:
    return name or f"cli:{getpass.getuser()}"


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(IMPORTS)), default=None,
              help="Input format (default: from the file extension).")
@click.option("--dry-run", is_flag=True, help="Check everything and show what would "
              "change; write nothing.")
@click.option("--force", is_flag=True, help="Import even if the same file was imported "
              "before (and not retracted).")
@click.option("--as", "actor", default=None, help="Name recorded as the importer "
              "(default: cli:<your user name>).")
@click.option("--max-bytes", type=int, default=_default_max_bytes,
              help="Largest file accepted (default: the import pipeline's limit).")
@click.option("--output", "out_fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@store_option
def import_(file: Path, fmt: str | None, dry_run: bool, force: bool, actor: str | None,
            max_bytes: int, out_fmt: str, store_path: Location | None) -> None:
    """Import FILE (RDF, CSV findings or FtM entities) into a named graph of its own.

    The file is screened, parsed, checked, linked to existing organisations and
    sources, validated with SHACL and committed in one transaction with its provenance,
    or refused with every problem listed and nothing stored. See docs/imports.md.
    """
    from graph.imports import kinds
    from graph.imports.pipeline import import_data
    kind = kinds.by_name(fmt) if fmt else kinds.for_filename(file.name)
    store = open_write(store_path)
    audit = _audit(store)
    data = file.read_bytes()
    bar = _Bar() if sys.stderr.isatty() and len(data) > 2_000_000 else None
    try:
        result = import_data(store, data, kind=kind, filename=file.name,
                             actor=_actor(actor), audit=audit, dry_run=dry_run, force=force,
                             max_bytes=max_bytes, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if out_fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe_result(result))


def describe_result(r: ImportResult) -> str:
    """A researcher-readable summary of an import (or of what a dry run would do)."""
    verb = "would import" if r.dry_run else "imported"
    lines = [f"{verb} {r.file} ({r.media_type}, sha256 {r.sha256[:12]}…) as {r.id}",
             f"  {r.triples} triples ({r.new_triples} not already in the store) "
             f"into <{r.graph}>"]
    if r.new_resources:
        lines.append("  new: " + ", ".join(f"{n} {k}" for k, n in r.new_resources.items()))
    for link in r.links:
        lines.append(f"  linked: {link.label!r} -> <{link.existing}> ({link.matched_by})")
    for cand in r.candidates:
        names = "; ".join(f"{lab} <{iri}>" for iri, lab in cand.candidates)
        lines.append(f"  to confirm ({cand.reason}): {cand.label!r} kept as new "
                     f"<{cand.incoming}>; possible match: {names}")
    lines += [f"  note: {n}" for n in r.notes]
    return "\n".join(lines)


class _Bar:
    """A progress bar on standard error that follows the pipeline's phases."""

    def __init__(self) -> None:
        self._bar = click.progressbar(length=1000, label="screening", file=sys.stderr)
        self._bar.__enter__()
        self._pos = 0

    def __call__(self, phase: str, fraction: float) -> None:
        self._bar.label = phase
        pos = int(1000 * min(max(fraction, 0.0), 1.0))
        if phase == "parsing" and pos > self._pos:
            self._bar.update(pos - self._pos)
            self._pos = pos
        else:
            self._bar.render_progress()

    def close(self) -> None:
        self._bar.__exit__(None, None, None)


@click.command("imports")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@store_option
def imports_(fmt: str, store_path: Location | None) -> None:
    """List the imports in the catalogue, retracted ones included."""
    from graph.imports.catalogue import list_imports
    from graph.queries import render_table
    records = list_imports(open_read(store_path))
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return
    rows = [[r.id, r.file, r.imported_by, r.imported_at, str(r.triples),
             f"retracted {r.retracted_at} by {r.retracted_by}" if r.retracted_at else "live"]
            for r in records]
    click.echo(render_table(["id", "file", "by", "at", "triples", "state"], rows))


@click.command("retract")
@click.argument("import_id")
@click.option("--reason", required=True, help="Why the import is withdrawn (recorded).")
@click.option("--as", "actor", default=None, help="Name recorded as the retractor.")
@store_option
def retract(import_id: str, reason: str, actor: str | None, store_path: Location | None) -> None:
    """Retract IMPORT_ID: its triples leave the live graph, archived; the catalogue and the
    audit log keep who retracted it, when and why."""
    from graph.imports.retract import retract_import
    store = open_write(store_path)
    record = retract_import(store, import_id, actor=_actor(actor), reason=reason,
                            audit=_audit(store))
    click.echo(f"retracted {record.id} ({record.file}, {record.triples} triples) at "
               f"{record.retracted_at}")


COMMANDS = [import_, imports_, retract]
