"""Every export format in one table, for ``survkg export --format`` and ``/api/graph?format=``.

A writer takes the store and a binary stream and returns how many records it wrote
(edges for GraphML / GEXF, rows for CSV, quads for JSON-LD). The CLI and the API look the
format up here, so adding a format is one line in :data:`EXPORTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, NamedTuple

from graph.interchange.csv_export import write_supplies_csv
from graph.interchange.gephi import write_gexf, write_graphml
from graph.interchange.jsonld import write_jsonld
from graph.store import Store

Writer = Callable[[Store, IO[bytes]], int]


class Exporter(NamedTuple):
    """A writer with the media type and file extension of what it writes."""

    writer: Writer
    media_type: str
    extension: str


EXPORTERS: dict[str, Exporter] = {
    "graphml": Exporter(write_graphml, "application/graphml+xml", "graphml"),
    "gexf": Exporter(write_gexf, "application/gexf+xml", "gexf"),
    "csv": Exporter(write_supplies_csv, "text/csv; charset=utf-8", "csv"),
    "jsonld": Exporter(write_jsonld, "application/ld+json", "jsonld"),
}
