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

from graph.errors import SurvkgError
from graph.interchange.exports import EXPORTERS
from graph.loading import load_files, open_store, parse_file, seed_files
from graph.queries import (
    render_table,
    select_rows,
    serialize_result,
    solution_rows,
    with_prefixes,
)
from graph.store import OxigraphStore, default_store_path
from graph.validation import validate_quads

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    """``--store PATH`` on every command that touches the store."""
    return click.option(
        "--store", "store_path", type=click.Path(path_type=Path), default=None,
        envvar="SURVKG_STORE", show_envvar=True,
        help="Store folder (default: a folder in the per-user data directory).")(func)


def _open(path: Path | None) -> OxigraphStore:
    """Open the store for this command and close it when the command ends."""
    store = open_store(path)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    return store


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
    # References to entities already in the store resolve against it, when there is one;
    # validating must never create (and seed) a store as a side effect.
    location = store_path or default_store_path()
    context = _open(location) if files and location.exists() else None
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
              help="auto: SHACL up to 50k triples; full: always; syntax: parse only.")
@store_option
def load(files: tuple[Path, ...], graph_iri: str | None, mode: str,
         store_path: Path | None) -> None:
    """Validate FILES and add them to the store in one transaction (all or nothing)."""
    store = _open(store_path)
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
    store = _open(store_path)
    result = store.query(with_prefixes(sparql))
    if fmt == "table" and isinstance(result, ox.QuerySolutions):
        click.echo(render_table(*solution_rows(result)))
    elif fmt == "table" and isinstance(result, ox.QueryBoolean):
        click.echo("true" if bool(result) else "false")
    else:
        sys.stdout.buffer.write(serialize_result(result, fmt))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)),
              default="nquads", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@store_option
def export(fmt: str, output: Path | None, store_path: Path | None) -> None:
    """Write the whole store for another tool.

    N-Quads and TriG keep the named graphs, imports and their provenance included (a
    faithful dump that ``load`` rebuilds identically); Turtle, N-Triples and RDF/XML get
    the union; JSON-LD uses the published context (ontology/context.jsonld); GraphML and
    GEXF are for Gephi; CSV lists the supplies with their evidence in the columns of the
    findings template; FtM writes FollowTheMoney entities for Aleph and OpenSanctions.
    """
    store = _open(store_path)
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


@cli.command()
@store_option
def info(store_path: Path | None) -> None:
    """Where the store is, and what it holds: counts by class and by named graph."""
    store = _open(store_path)
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


# ------------------------------------------------------------------ exposure commands

def _filter_options(func: F) -> F:
    """The exposure filters shared by exposure, suppliers, paths and chokepoints."""
    for opt in reversed([
        click.option("--max-hops", type=int, default=4, show_default=True,
                     help="Longest path, in hops."),
        click.option("--as-of", default=None, help="Date (YYYY[-MM[-DD]]): leave out "
                     "relations that started after it or ended before it."),
        click.option("--min-confidence", default=None, help="A confidence level "
                     "(e.g. reported-by-press) or a weight between 0 and 1."),
        click.option("--include-unverified", is_flag=True, help="Also follow unverified, "
                     "alleged and disputed claims (marked in the output)."),
        click.option("--technology", default=None, help="A technology id "
                     "(e.g. technology/facial-recognition); narrower ones match."),
        click.option("--max-paths", type=int, default=50, show_default=True,
                     help="Paths to list (scores use all)."),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                     default="table", show_default=True),
    ]):
        func = opt(func)
    return func


def _filters(max_hops: int, as_of: str | None, min_confidence: str | None,
             include_unverified: bool, technology: str | None, max_paths: int) -> Any:
    from graph.exposure import Filters
    return Filters.from_options(max_hops, as_of, min_confidence, technology,
                                include_unverified, max_paths)


def _emit(result: Any, fmt: str, text: Callable[[Any], str]) -> None:
    import json
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(text(result))


@cli.command()
@click.argument("name")
@_filter_options
@store_option
def exposure(name: str, store_path: Path | None, fmt: str, **opts: Any) -> None:
    """Exposure paths from NAME's group (name, alias, Chinese name or id) to risk targets,
    with the evidence of every hop and the score's terms."""
    from graph.entities import resolve
    from graph.exposure import exposure as run
    from graph.exposure.render import exposure_text
    from graph.projection import build_projection
    store = _open(store_path)
    entity = resolve(store, name)
    _emit(run(build_projection(store), entity.iri, _filters(**opts)), fmt, exposure_text)


@cli.command()
@_filter_options
@store_option
def ranking(store_path: Path | None, fmt: str, **opts: Any) -> None:
    """Every organisation with exposure, highest score first (the home page's ranking)."""
    from graph.exposure import ranking as run
    from graph.exposure.render import ranking_text
    from graph.projection import build_projection
    store = _open(store_path)
    _emit(run(build_projection(store), _filters(**opts)), fmt, ranking_text)


@cli.command()
@click.argument("name")
@_filter_options
@store_option
def suppliers(name: str, store_path: Path | None, fmt: str, **opts: Any) -> None:
    """Which suppliers feed NAME (an end user or programme), by which paths."""
    from graph.entities import resolve
    from graph.exposure import suppliers as run
    from graph.exposure.render import suppliers_text
    from graph.projection import build_projection
    store = _open(store_path)
    entity = resolve(store, name)
    _emit(run(build_projection(store), entity.iri, _filters(**opts)), fmt, suppliers_text)


@cli.command()
@click.argument("source")
@click.argument("target")
@_filter_options
@store_option
def paths(source: str, target: str, store_path: Path | None, fmt: str, **opts: Any) -> None:
    """Supply and participation paths from SOURCE to TARGET (bounded by --max-hops)."""
    from graph.entities import resolve
    from graph.exposure import paths_between
    from graph.exposure.render import paths_text
    from graph.projection import build_projection
    store = _open(store_path)
    a, b = resolve(store, source), resolve(store, target)
    _emit(paths_between(build_projection(store), a.iri, b.iri, _filters(**opts)), fmt,
          paths_text)


@cli.command("why-not")
@click.argument("source")
@click.argument("target")
@_filter_options
@store_option
def why_not(source: str, target: str, store_path: Path | None, fmt: str, **opts: Any) -> None:
    """Why SOURCE has no exposure path to TARGET under the filters: what excluded it
    (ended or not yet started, below the confidence, unverified, beyond max hops)."""
    from graph.entities import resolve
    from graph.exposure import why_not as run
    from graph.exposure.render import why_not_text
    from graph.projection import build_projection
    store = _open(store_path)
    a, b = resolve(store, source), resolve(store, target)
    _emit(run(build_projection(store), a.iri, b.iri, _filters(**opts)), fmt, why_not_text)


@cli.command()
@click.option("--exporter", "exporter_names", multiple=True,
              help="Exporter (name or id; repeatable). Default: every supplier.")
@_filter_options
@store_option
def chokepoints(exporter_names: tuple[str, ...], store_path: Path | None, fmt: str,
                **opts: Any) -> None:
    """Intermediaries and relations that carry the most exposure paths, and the fewest
    relations whose removal cuts every path from the exporters to the risk targets."""
    from graph.entities import resolve
    from graph.exposure import chokepoints as run
    from graph.exposure.render import chokepoints_text
    from graph.projection import build_projection
    store = _open(store_path)
    chosen = [resolve(store, n).iri for n in exporter_names] or None
    _emit(run(build_projection(store), _filters(**opts), exporters=chosen), fmt,
          chokepoints_text)


# Write and administration commands live in their own modules; importing them registers
# them on ``cli``.
from graph import cli_admin, cli_imports  # noqa: E402,F401
