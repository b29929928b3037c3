"""The writers of every export format, for ``survkg export --format`` and
``/api/graph?format=``.

A writer takes the store and a binary stream and returns how many records it wrote
(edges for GraphML / GEXF, rows for CSV, quads for JSON-LD). Names, media types and
extensions are the format registry's (:data:`graph.formats.EXPORTS`); this module only
adds the writer, imported when a format is written (FollowTheMoney pulls in SQLAlchemy,
JSON-LD rdflib: a command that does not export should not pay for them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import IO, cast

from graph.formats import EXPORTS, Format
from graph.store import Store

Writer = Callable[[Store, IO[bytes]], int]

#: Writers of the formats that are not a plain store dump, as ``module:function``.
_WRITERS = {
    "graphml": "graph.interchange.gephi:write_graphml",
    "gexf": "graph.interchange.gephi:write_gexf",
    "csv": "graph.interchange.csv_export:write_supplies_csv",
    "jsonld": "graph.interchange.jsonld:write_jsonld",
    "ftm": "graph.interchange.ftm:write_ftm",
}


class Exporter:
    """An export format (from the registry) with its writer."""

    def __init__(self, fmt: Format) -> None:
        self.format = fmt
        self.media_type = fmt.content_type
        self.extension = fmt.extension

    @property
    def writer(self) -> Writer:
        target = _WRITERS.get(self.format.name)
        if target is None:
            return self._dump
        module, _, name = target.partition(":")
        return cast(Writer, getattr(importlib.import_module(module), name))

    def _dump(self, store: Store, out: IO[bytes]) -> int:
        """A store dump: N-Quads and TriG keep every named graph (the import graphs and
        the catalogue of their provenance); triple formats get the union of the graphs."""
        assert self.format.rdf is not None
        store.export(out, self.format.rdf)
        return len(store)


EXPORTERS: dict[str, Exporter] = {name: Exporter(fmt) for name, fmt in EXPORTS.items()}
