"""``survkg exposure``, ``ranking``, ``suppliers``, ``paths``, ``why-not`` and
``chokepoints``: the exposure engine on the command line.

Each command resolves names with the same resolver as the API, builds the same projection
and calls the same engine function; ``--format json`` prints the engine's result as the
API returns it. They only read, so they also work beside a running server. Over a remote
store, the one-organisation commands (exposure, suppliers, paths, why-not) fetch only what
the question can reach (:mod:`graph.exposure.frontier`) instead of the whole projection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from graph.cli.common import Location, open_read, store_option

F = TypeVar("F", bound=Callable[..., Any])


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


def _one(store: Any, engine: str) -> Callable[..., Any]:
    """The engine function of a one-organisation command: by frontier expansion over a
    remote store, else over the store's whole projection (same results)."""
    from graph.remote_store import SparqlHttpStore
    if isinstance(store, SparqlHttpStore):
        from graph.exposure import frontier
        run: Callable[..., Any] = getattr(frontier, engine)
        return lambda *args: run(store, *args)
    from graph import exposure as engines
    from graph.projection import build_projection
    run = getattr(engines, engine)
    return lambda *args: run(build_projection(store), *args)


def _emit(result: Any, fmt: str, text: Callable[[Any], str]) -> None:
    import json
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(text(result))


@click.command()
@click.argument("name")
@_filter_options
@store_option
def exposure(name: str, store_path: Location | None, fmt: str, **opts: Any) -> None:
    """Exposure paths from NAME's group (name, alias, Chinese name or id) to risk targets,
    with the evidence of every hop and the score's terms."""
    from graph.entities import resolve
    from graph.exposure.render import exposure_text
    store = open_read(store_path)
    entity = resolve(store, name)
    _emit(_one(store, "exposure")(entity.iri, _filters(**opts)), fmt, exposure_text)


@click.command()
@_filter_options
@click.option("--engine", type=click.Choice(["in-process", "spark"]), default="in-process",
              show_default=True, help="Where the scores are computed: this process, or "
              "Apache Spark (same scores; docs/spark.md).")
@click.option("--master", default=None, help="Spark master URL for --engine spark, e.g. "
              "spark://host:7077 (default: local[2]).")
@store_option
def ranking(store_path: Location | None, fmt: str, engine: str, master: str | None,
            **opts: Any) -> None:
    """Every organisation with exposure, highest score first (the home page's ranking)."""
    from graph.exposure import ranking as run
    from graph.exposure.render import ranking_text
    from graph.projection import build_projection
    if master and engine != "spark":
        raise click.BadParameter("--master needs --engine spark", param_hint="--master")
    store = open_read(store_path)
    proj, filters = build_projection(store), _filters(**opts)
    if engine == "spark":
        from graph.spark.ranking import spark_scorer
        _emit(run(proj, filters, scorer=spark_scorer(master)), fmt, ranking_text)
    else:
        _emit(run(proj, filters), fmt, ranking_text)


@click.command()
@click.argument("name")
@_filter_options
@store_option
def suppliers(name: str, store_path: Location | None, fmt: str, **opts: Any) -> None:
    """Which suppliers feed NAME (an end user or programme), by which paths."""
    from graph.entities import resolve
    from graph.exposure.render import suppliers_text
    store = open_read(store_path)
    entity = resolve(store, name)
    _emit(_one(store, "suppliers")(entity.iri, _filters(**opts)), fmt, suppliers_text)


@click.command()
@click.argument("source")
@click.argument("target")
@_filter_options
@store_option
def paths(source: str, target: str, store_path: Location | None, fmt: str, **opts: Any) -> None:
    """Supply and participation paths from SOURCE to TARGET (bounded by --max-hops)."""
    from graph.entities import resolve
    from graph.exposure.render import paths_text
    store = open_read(store_path)
    a, b = resolve(store, source), resolve(store, target)
    _emit(_one(store, "paths_between")(a.iri, b.iri, _filters(**opts)), fmt, paths_text)


@click.command("why-not")
@click.argument("source")
@click.argument("target")
@_filter_options
@store_option
def why_not(source: str, target: str, store_path: Location | None, fmt: str, **opts: Any) -> None:
    """Why SOURCE has no exposure path to TARGET under the filters: what excluded it
    (ended or not yet started, below the confidence, unverified, beyond max hops)."""
    from graph.entities import resolve
    from graph.exposure.render import why_not_text
    store = open_read(store_path)
    a, b = resolve(store, source), resolve(store, target)
    _emit(_one(store, "why_not")(a.iri, b.iri, _filters(**opts)), fmt, why_not_text)


@click.command()
@click.option("--exporter", "exporter_names", multiple=True,
              help="Exporter (name or id; repeatable). Default: every supplier.")
@_filter_options
@store_option
def chokepoints(exporter_names: tuple[str, ...], store_path: Location | None, fmt: str,
                **opts: Any) -> None:
    """Intermediaries and relations that carry the most exposure paths, and the fewest
    relations whose removal cuts every path from the exporters to the risk targets."""
    from graph.entities import resolve
    from graph.exposure import chokepoints as run
    from graph.exposure.render import chokepoints_text
    from graph.projection import build_projection
    store = open_read(store_path)
    chosen = [resolve(store, n).iri for n in exporter_names] or None
    _emit(run(build_projection(store), _filters(**opts), exporters=chosen), fmt,
          chokepoints_text)


COMMANDS = [exposure, ranking, suppliers, paths, why_not, chokepoints]
