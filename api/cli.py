"""``survkg serve``: contributed to the core CLI through the ``survkg.commands`` entry point."""

from __future__ import annotations

import click

from graph.cli.common import Location, local_folder, store_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@store_option
def serve(host: str, port: int, store_path: Location | None) -> None:
    """Serve the SPARQL endpoint, the JSON API and the pages (one uvicorn process).

    Settings come from SURVKG_* variables (docs/configuration.md). SPARQL queries run in
    worker processes started next to the server; the public endpoint is read-only
    for SPARQL Update unless SURVKG_UPDATES_ENABLED is set; every write needs a token
    (`survkg token create NAME`) and is recorded in the audit log.
    """
    import uvicorn  # here, not at the top: `survkg --help` lists this command cheaply

    from api.app import create_app
    from api.server import uvicorn_config
    from api.settings import Settings
    from graph.loading import open_store
    # The server's SPARQL workers, audit log and tokens live beside an embedded store.
    store = open_store(local_folder(store_path))
    settings = Settings.from_env()
    mode = "updates on (token, audited)" if settings.updates_enabled else "read-only"
    click.echo(f"survkg: store {store.location}; /sparql {mode}; query limit "
               f"{settings.query_timeout:g} s, {settings.max_concurrent_queries} workers")
    app = create_app(store, settings)
    # Build the projection, view, ranking and search index now, with progress, so that the
    # server is warm when uvicorn says it is ready (the first page waited 8-24 s at 1M).
    from api.graphviews import warm_up
    warm_up(app.state, lambda line: click.echo(f"survkg: {line}"))
    uvicorn.Server(uvicorn_config(app, settings, host=host, port=port, log_level="info")).run()
