"""The investigator's desk on the command line: ``survkg dossier`` and ``survkg screen``.

Kept apart from the read commands of ``graph/cli.py``; importing this module registers
the commands on ``cli``. Each calls the same core functions as the HTTP routes.
"""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli import _filters, _open, cli, store_option


@cli.command()
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
            store_path: Path | None) -> None:
    """A citable exposure dossier of NAME: summary, group and ownership evidence, every
    path with every hop's sources and replies, control status, filters, date, graph
    version. HTML stands alone (offline); PDF is printed by headless Chromium."""
    from graph import dossier as core
    from graph.entities import resolve
    from graph.projection import build_projection
    store = _open(store_path)
    entity = resolve(store, name)
    filters = _filters(max_hops, as_of, min_confidence, include_unverified, None,
                       core.MAX_PATHS)
    doc = core.build(store, build_projection(store), entity.iri, filters)
    html = core.render_html(doc)
    if fmt == "pdf":
        from graph.pdf import html_to_pdf
        output.write_bytes(html_to_pdf(html))
    else:
        output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output} (dossier of {entity.label}, {fmt})", err=True)
