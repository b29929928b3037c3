"""The ``survkg`` command line.

Every command opens the store through :func:`graph.loading.open_store` (``--store`` or
``$SURVKG_STORE``, else the per-user default) and calls the same core functions as the
HTTP API. Commands that need the web layer (``serve``) are contributed by the ``api``
package through the ``survkg.commands`` entry-point group, so this core package never
imports the web layer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

import click
import pyoxigraph as ox

from graph import formats
from graph.errors import SurvkgError
from graph.loading import load_files, open_store, parse_file, seed_files
from graph.queries import render_table, select_rows, serialize_result, with_prefixes
from graph.validation import validate_quads

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    """``--store PATH`` on every command that touches the store."""
    return click.option(
        "--store", "store_path", type=click.Path(path_type=Path), default=None,
        envvar="SURVKG_STORE", show_envvar=True,
        help="Store folder (default: a folder in the per-user data directory).")(func)


class SurvkgGroup(click.Group):
    """A group that prints survkg errors as one clear line and exits 1 (2 for usage)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SurvkgError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            for problem in getattr(exc, "problems", ())[:200]:
                click.echo(f"  {problem}", err=True)
            ctx.exit(1)


@click.group(cls=SurvkgGroup)
@click.version_option(package_name="survkg")
def cli() -> None:
    """survkg: an evidence-backed knowledge graph of surveillance-technology supply chains."""


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_option
def validate(files: tuple[Path, ...], store_path: Path | None) -> None:
    """Check FILES (default: the seeds) for syntax and against the SHACL shapes.

    References to entities already in the store are resolved against it.
    Exits 1 when there is any violation.
    """
    paths = list(files) or seed_files()
    quads = [q for p in paths for q in parse_file(p)]
    context = open_store(store_path) if files else None
    report = validate_quads(quads, context=context)
    for line in report.violations:
        click.echo(line)
    status = "conforms" if report.conforms else f"{len(report.violations)} violation(s)"
    click.echo(f"{len(paths)} file(s), {report.triples} triples: {status}")
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", "graph_iri", default=None, help="Named graph to load into "
              "(default: one per file name under https://w3id.org/survkg/graph/user/).")
@click.option("--validate", "mode", type=click.Choice(["auto", "full", "syntax"]),
              default="auto", show_default=True,
              help="auto: SHACL up to 200k triples; full: always; syntax: parse only.")
@store_option
def load(files: tuple[Path, ...], graph_iri: str | None, mode: str,
         store_path: Path | None) -> None:
    """Validate FILES and add them to the store in one transaction (all or nothing)."""
    store = open_store(store_path)
    total = sum(p.stat().st_size for p in files)
    show = sys.stderr.isatty() and total > 5_000_000
    graph = ox.NamedNode(graph_iri) if graph_iri else None
    if show:
        with click.progressbar(length=total, label="parsing", file=sys.stderr) as bar:
            seen = [0]

            def progress(n: int) -> None:
                bar.update(max(0, n - seen[0]))
                seen[0] = n
            report = load_files(store, list(files), graph=graph, validate=mode,
                                progress=progress)
    else:
        report = load_files(store, list(files), graph=graph, validate=mode)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"loaded {report.triples} triples from {len(report.files)} file(s) "
               f"into <{report.graph}>; store now holds {len(store)} quads")


@cli.command()
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml"]),
              default="table", show_default=True)
@store_option
def query(sparql: str, fmt: str, store_path: Path | None) -> None:
    """Run a SPARQL query ('SELECT ...' or @file.rq). survkg's prefixes are predeclared.

    --format json is the W3C SPARQL 1.1 Query Results JSON format.
    """
    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    store = open_store(store_path)
    if fmt == "table":
        result = store.query(with_prefixes(sparql))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            _, rows = select_rows(store, sparql)
            click.echo(render_table(names, rows))
            return
        if isinstance(result, ox.QueryBoolean):
            click.echo("true" if bool(result) else "false")
            return
        sys.stdout.buffer.write(serialize_result(result, "table"))
        return
    result = store.query(with_prefixes(sparql))
    sys.stdout.buffer.write(serialize_result(result, fmt))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig", "turtle", "jsonld",
                                                     "ntriples", "rdfxml"]),
              default="nquads", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@store_option
def export(fmt: str, output: Path | None, store_path: Path | None) -> None:
    """Write the whole store. N-Quads and TriG keep the named graphs (a faithful dump that
    ``load`` rebuilds identically); Turtle, N-Triples, JSON-LD and RDF/XML get the union."""
    store = open_store(store_path)
    rdf = formats.by_name(fmt)
    if output is None:
        data = store.export(None, rdf)
        assert data is not None
        sys.stdout.buffer.write(data)
    else:
        store.export(str(output), rdf)
        click.echo(f"wrote {output}", err=True)


@cli.command()
@store_option
def info(store_path: Path | None) -> None:
    """Where the store is, and what it holds: counts by class and by named graph."""
    store = open_store(store_path)
    click.echo(f"store: {store.location}")
    click.echo(f"quads: {len(store)}")
    _, rows = select_rows(store, """
        SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
          ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(skg:)))
        } GROUP BY ?class ORDER BY DESC(?n) ?class""")
    click.echo(render_table(["class", "count"], rows))
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    click.echo("graphs: " + ", ".join(graphs))


def _plugins() -> None:
    """Attach commands other packages contribute (``survkg.commands`` entry points)."""
    for ep in entry_points(group="survkg.commands"):
        if ep.name not in cli.commands:
            cli.add_command(ep.load(), ep.name)


def main() -> None:
    _plugins()
    cli()
