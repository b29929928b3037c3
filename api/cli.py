"""``survkg serve`` and ``survkg dossier``: contributed to the core CLI through the
``survkg.commands`` entry point."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.common import Location, local_folder, open_read, store_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@store_option
def serve(host: str, port: int, store_path: Location | None) -> None:
    """Serve the SPARQL endpoint, the JSON API and the pages (one uvicorn process).

    Settings come from SURVKG_* variables (docs/configuration.md). SPARQL queries run in
    worker processes started next to the server. Over a remote store (--store
    http://...) the server only reads: /sparql forwards checked queries to it under the
    same limits (docs/remote-store.md). The public endpoint is read-only
    for SPARQL Update unless SURVKG_UPDATES_ENABLED is set; every write needs a token
    (`survkg token create NAME`) and is recorded in the audit log.
    """
    import uvicorn  # here, not at the top: `survkg --help` lists this command cheaply

    from api.app import create_app
    from api.server import uvicorn_config
    from api.settings import Settings
    from graph.loading import open_remote_store, open_store
    from graph.store import Store
    settings = Settings.from_env()
    store: Store
    if isinstance(store_path, str):
        # A remote store: reads only (pages, JSON API, /sparql forwarded with the same
        # checks and limits); writes and SPARQL Update are refused (docs/remote-store.md).
        store = open_remote_store(store_path, timeout=max(settings.query_timeout, 60.0))
        mode = "read-only (remote store: writes refused)"
    else:
        # The server's SPARQL workers, audit log and tokens live beside an embedded store.
        store = open_store(local_folder(store_path))
        mode = "updates on (token, audited)" if settings.updates_enabled else "read-only"
    click.echo(f"survkg: store {store.location}; /sparql {mode}; query limit "
               f"{settings.query_timeout:g} s, {settings.max_concurrent_queries} workers")
    app = create_app(store, settings)
    # Build the projection, view, ranking and search index now, with progress, so that the
    # server is warm when uvicorn says it is ready (the first page waited 8-24 s at 1M).
    from api.graphviews import warm_up
    warm_up(app.state, lambda line: click.echo(f"survkg: {line}"))
    uvicorn.Server(uvicorn_config(app, settings, host=host, port=port, log_level="info")).run()


@click.command()
@click.argument("name")
@click.option("--as-of", default=None, help="Date (YYYY[-MM[-DD]]): exposure as of then.")
@click.option("--min-confidence", default=None, help="A confidence level or a weight 0-1.")
@click.option("--include-unverified", is_flag=True,
              help="Also follow unverified, alleged and disputed claims (marked).")
@click.option("--max-hops", type=int, default=4, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="File to write.")
@store_option
def dossier(name: str, as_of: str | None, min_confidence: str | None,
            include_unverified: bool, max_hops: int, fmt: str, output: Path,
            store_path: Location | None) -> None:
    """A citable exposure dossier of NAME: summary, group and ownership evidence, every
    path with every hop's sources and replies, control status, filters, date, graph
    version. HTML stands alone (offline); PDF is printed by headless Chromium.

    Contributed by the ``api`` package (through ``survkg.commands``) because the HTML is
    rendered with the pages' templates."""
    from api.dossier import render_html
    from graph import dossier as core
    from graph.entities import resolve
    from graph.errors import SurvkgError
    from graph.exposure import Filters
    from graph.projection import build_projection
    store = open_read(store_path)
    try:
        entity = resolve(store, name)
        filters = Filters.from_options(max_hops, as_of, min_confidence, None,
                                       include_unverified, core.MAX_PATHS)
        html = render_html(core.build(store, build_projection(store), entity.iri, filters))
    except SurvkgError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "pdf":
        from graph.pdf import html_to_pdf
        output.write_bytes(html_to_pdf(html))
    else:
        output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output} (dossier of {entity.label}, {fmt})", err=True)
