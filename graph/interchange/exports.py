"""Every export format in one table, for ``survkg export --format`` and ``/api/graph?format=``.

A writer takes the store and a binary stream and returns how many records it wrote
(edges for GraphML / GEXF, rows for CSV, quads for JSON-LD). The CLI and the API look the
format up here, so adding a format is one line in :data:`EXPORTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, NamedTuple

import pyoxigraph as ox

from graph.interchange.csv_export import write_supplies_csv
from graph.interchange.ftm import write_ftm
from graph.interchange.gephi import write_gexf, write_graphml
from graph.interchange.jsonld import write_jsonld
from graph.store import Store

Writer = Callable[[Store, IO[bytes]], int]


class Exporter(NamedTuple):
    """A writer with the media type and file extension of what it writes."""

    writer: Writer
    media_type: str
    extension: str


def _rdf(fmt: ox.RdfFormat) -> Writer:
    """A store dump: N-Quads and TriG keep every named graph (the import graphs and the
    catalogue of their provenance); triple formats get the union of the graphs."""
    def write(store: Store, out: IO[bytes]) -> int:
        store.export(out, fmt)
        return len(store)
    return write


EXPORTERS: dict[str, Exporter] = {
    "nquads": Exporter(_rdf(ox.RdfFormat.N_QUADS), "application/n-quads", "nq"),
    "trig": Exporter(_rdf(ox.RdfFormat.TRIG), "application/trig", "trig"),
    "turtle": Exporter(_rdf(ox.RdfFormat.TURTLE), "text/turtle", "ttl"),
    "ntriples": Exporter(_rdf(ox.RdfFormat.N_TRIPLES), "application/n-triples", "nt"),
    "rdfxml": Exporter(_rdf(ox.RdfFormat.RDF_XML), "application/rdf+xml", "rdf"),
    "graphml": Exporter(write_graphml, "application/graphml+xml", "graphml"),
    "gexf": Exporter(write_gexf, "application/gexf+xml", "gexf"),
    "csv": Exporter(write_supplies_csv, "text/csv; charset=utf-8", "csv"),
    "jsonld": Exporter(write_jsonld, "application/ld+json", "jsonld"),
    "ftm": Exporter(write_ftm, "application/x-ndjson", "ftm.json"),
}
