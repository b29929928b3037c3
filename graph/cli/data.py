"""``survkg validate``, ``load``, ``query``, ``export`` and ``info``: the store's data.

Every command opens the store through :mod:`graph.cli.common` (``--store`` or
``$SURVKG_STORE``, else the per-user default) and calls the same core functions as the
HTTP API. Reading commands also work beside a running server (a read-only view); ``load``
writes, so it refuses then, with a sentence saying what to do instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from graph.cli.common import Location, open_read, open_write, store_option
from graph.formats import EXPORT_NAMES, RESULT_NAMES


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_option
def validate(files: tuple[Path, ...], store_path: Location | None) -> None:
    """Check FILES (default: the seeds) for syntax and against the SHACL shapes.

    References to entities already in the store are resolved against it.
    Exits 1 when there is any violation.
    """
    from graph.loading import parse_file, seed_files
    from graph.store import default_store_path
    from graph.validation import validate_quads
    paths = list(files) or seed_files()
    quads = [q for p in paths for q in parse_file(p)]
    # References to entities already in the store resolve against it, when there is one;
    # validating must never create (and seed) a store as a side effect.
    remote = isinstance(store_path, str)
    location = store_path or default_store_path()
    context = (open_read(location) if files and (remote or Path(location).exists())
               else None)
    report = validate_quads(quads, context=context)
    for line in report.violations:
        click.echo(line)
    status = "conforms" if report.conforms else f"{len(report.violations)} violation(s)"
    click.echo(f"{len(paths)} file(s), {report.triples} triples: {status}")
    if not report.conforms:
        sys.exit(1)


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", "graph_iri", default=None, help="Named graph to load into "
              "(default: one per file name under https://w3id.org/survkg/graph/user/).")
@click.option("--validate", "mode", type=click.Choice(["auto", "full", "syntax"]),
              default="auto", show_default=True,
              help="auto: SHACL up to 50k triples; full: always; syntax: parse only.")
@store_option
def load(files: tuple[Path, ...], graph_iri: str | None, mode: str,
         store_path: Location | None) -> None:
    """Validate FILES and add them to the store in one transaction (all or nothing).

    A remote store (``--store http://...``) takes them as one update request: for small
    files; large ones belong in the store's own loader (docs/remote-store.md)."""
    import pyoxigraph as ox

    from graph.loading import load_files
    # A URL opens the remote store as for reading (its writes are update requests); a
    # folder is opened for writing, or refused while a server holds it.
    store = open_read(store_path) if isinstance(store_path, str) else open_write(store_path)
    total = sum(p.stat().st_size for p in files)
    show = sys.stderr.isatty() and total > 5_000_000
    graph = ox.NamedNode(graph_iri) if graph_iri else None
    if show:
        # The bar follows the parsing pass (bytes read); writing follows it, unmetered.
        with click.progressbar(length=total, label="parsing", file=sys.stderr) as bar:
            seen = [0]

            def progress(n: int) -> None:
                bar.update(max(0, n - seen[0]))
                seen[0] = n
                if n >= total:
                    bar.label = "parsed; validating and writing"
            report = load_files(store, list(files), graph=graph, validate=mode,
                                progress=progress)
    else:
        report = load_files(store, list(files), graph=graph, validate=mode)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"loaded {report.triples} triples from {len(report.files)} file(s) "
               f"into <{report.graph}>")


@click.command()
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", *RESULT_NAMES]),
              default="table", show_default=True)
@store_option
def query(sparql: str, fmt: str, store_path: Location | None) -> None:
    """Run a SPARQL query ('SELECT ...' or @file.rq). survkg's prefixes are predeclared.

    --format json is the W3C SPARQL 1.1 Query Results JSON format.
    """
    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    import pyoxigraph as ox

    from graph.queries import render_table, serialize_result, solution_rows, with_prefixes
    store = open_read(store_path)
    result = store.query(with_prefixes(sparql))
    if fmt == "table" and isinstance(result, ox.QuerySolutions):
        click.echo(render_table(*solution_rows(result)))
    elif fmt == "table" and isinstance(result, ox.QueryBoolean):
        click.echo("true" if bool(result) else "false")
    else:
        sys.stdout.buffer.write(serialize_result(result, fmt))


@click.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_NAMES),
              default="nquads", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@store_option
def export(fmt: str, output: Path | None, store_path: Location | None) -> None:
    """Write the whole store for another tool.

    N-Quads and TriG keep the named graphs, imports and their provenance included (a
    faithful dump that ``load`` rebuilds identically); Turtle, N-Triples and RDF/XML get
    the union; JSON-LD uses the published context (ontology/context.jsonld); GraphML and
    GEXF are for Gephi; CSV lists the supplies with their evidence in the columns of the
    findings template; FtM writes FollowTheMoney entities for Aleph and OpenSanctions.
    """
    from graph.interchange.exports import EXPORTERS
    store = open_read(store_path)
    exporter = EXPORTERS[fmt]
    if output is None:
        exporter.writer(store, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("wb") as fh:  # a reader never sees half a file
        count = exporter.writer(store, fh)
    tmp.replace(output)
    click.echo(f"wrote {output} ({count} records, {fmt})", err=True)


@click.command()
@store_option
def info(store_path: Location | None) -> None:
    """Where the store is, and what it holds: counts by class and by named graph."""
    import pyoxigraph as ox

    from graph.queries import render_table, select_rows
    store = open_read(store_path)
    click.echo(f"store: {store.location}")
    click.echo(f"quads: {len(store)}")
    _, rows = select_rows(store, """
        SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
          ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(skg:)))
        } GROUP BY ?class ORDER BY DESC(?n) ?class""")
    click.echo(render_table(["class", "count"], rows))
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    click.echo("graphs: " + ", ".join(graphs))


COMMANDS = [validate, load, query, export, info]
