"""What an import mapper returns and how it reports what is wrong with its input.

Every mapper lists *every* problem it finds (not only the first), each located by line,
column and field, so a researcher can fix a spreadsheet in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.errors import where


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the format allows."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        located = where(self.file, self.line, self.column)
        if self.field:
            located += f" [{self.field}]"
        return f"{located}: {self.message}"


#: Makes the IRI of a new resource from its kind ("org", "supply", "source", ...) and a
#: key that identifies it in the input (a name, a URL, a foreign id). The import pipeline
#: passes one that mints IRIs under the import's own namespace, so two imports never
#: collide by accident; entity resolution links them to existing resources afterwards.
Mint = Callable[[str, str], ox.NamedNode]


@dataclass
class Mapped:
    """The result of mapping a foreign file onto the ontology.

    ``quads`` are in the default graph (the pipeline moves them into the import's named
    graph). ``notes`` say what did not map and why (e.g. "12 FtM Email entities skipped:
    no counterpart in the ontology"), so nothing is dropped silently.
    """

    quads: list[ox.Quad]
    notes: list[str] = field(default_factory=list)
    #: How many input records (rows, entities) became resources.
    records: int = 0
