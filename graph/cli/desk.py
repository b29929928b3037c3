"""The investigator's desk on the command line: ``survkg screen``, ``survkg archive`` and
``survkg changes`` (``survkg dossier`` renders HTML, so the ``api`` package contributes it,
like ``serve``).

Each calls the same core functions as the HTTP routes. They only read the store
(``archive`` writes its captures into the store folder, beside a running server too).
"""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.common import Location, local_folder, open_read, store_option


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
              default="table", show_default=True)
@click.option("--as-of", default=None, help="Date (YYYY[-MM[-DD]]): exposure as of then.")
@click.option("--include-unverified", is_flag=True,
              help="Also follow unverified, alleged and disputed claims.")
@store_option
def screen(file: Path, fmt: str, as_of: str | None, include_unverified: bool,
           store_path: Location | None) -> None:
    """Screen FILE (CSV with a name column and optional country and identifier columns,
    or a JSON list): for each row the matched organisation and how it matched, its
    exposure score, top targets, number of paths and dossier link. Read-only."""
    import json

    from graph import screening
    from graph.exposure import Filters
    from graph.projection import build_projection
    store = open_read(store_path)
    text = file.read_text(encoding="utf-8-sig")
    rows = (screening.parse_json(text, str(file)) if file.suffix.lower() == ".json"
            else screening.parse_csv(text, str(file)))
    result = screening.screen(store, build_projection(store), rows,
                              Filters.from_options(4, as_of, None, None, include_unverified, 0))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(screening.to_csv(result), nl=False)
    else:
        click.echo(screening.to_text(result))


@click.command()
@click.option("--missing", is_flag=True,
              help="Only sources with no capture and no archived URL yet.")
@click.option("--proxy", default=None, envvar="SURVKG_ARCHIVE_PROXY", show_envvar=True,
              help="HTTP(S) proxy to fetch through (none: direct).")
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds per URL.")
@click.option("--source", "sources", multiple=True,
              help="Only this source (id or IRI; repeatable). Default: every source.")
@store_option
def archive(missing: bool, proxy: str | None, timeout: float, sources: tuple[str, ...],
            store_path: Location | None) -> None:
    """Capture the sources' URLs as WARC files in the store folder (SHA-256 and capture
    time recorded); pages and dossiers then link the capture. Fetches only now, only
    when run; the server never fetches."""
    from graph.capture import archive as run
    store = open_read(local_folder(store_path))
    done, failed = run(store, missing=missing, proxy=proxy, timeout=timeout, sources=sources)
    for c in done:
        click.echo(f"{c.status} {c.url}  sha256 {c.sha256}  {c.file}")
    for url, why in failed:
        click.echo(f"failed {url}: {why}", err=True)
    click.echo(f"{len(done)} captured, {len(failed)} failed", err=True)
    if failed and not done:
        raise SystemExit(1)


@click.command()
@click.option("--since", default=None, help="ISO date or time: only events from then on.")
@click.option("--entity", "entity_name", default=None,
              help="Only events that changed this organisation's exposure.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "atom"]),
              default="table", show_default=True)
@store_option
def changes(since: str | None, entity_name: str | None, fmt: str,
            store_path: Location | None) -> None:
    """Imports and retractions, newest first, each with the organisations whose exposure
    it changed (score before and after, paths gained and lost)."""
    import json

    from graph.changes import changes as run
    from graph.changes_feed import describe, to_atom
    from graph.entities import resolve
    store = open_read(store_path)
    iri = resolve(store, entity_name).iri if entity_name else None
    found = run(store, since=since, entity=iri)
    if fmt == "json":
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False, indent=2))
    elif fmt == "atom":
        click.echo(to_atom(found, base_url="http://127.0.0.1:8000",
                           title="survkg: what changed").decode())
    else:
        for c in found:
            click.echo(f"{c.at}  {c.kind:<10} {c.import_id}  {describe(c)}")
        if not found:
            click.echo("no imports or retractions" + (f" since {since}" if since else ""))


COMMANDS = [screen, archive, changes]
