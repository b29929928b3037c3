"""The exposure dossier: one self-contained document an analyst can cite.

It holds what a reader needs to check a finding without the server: the summary, the
group with its ownership records and their sources, every path with every hop's sources
(title, publisher, date, URL), confidence, status and the companies' replies beside the
claims they answer, the control status, the filters used, when it was made and from
which version of the graph. This module gathers it; ``api/dossier.py`` renders it (HTML
for the page and for ``survkg dossier``) and :mod:`graph.pdf` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from graph import __version__
from graph.capture import Capture, captures
from graph.exposure import Exposure, Filters, exposure
from graph.imports.catalogue import list_imports
from graph.projection import Projection
from graph.store import Store

#: Every path is listed (up to this many; the document says when more exist).
MAX_PATHS = 1000


@dataclass(frozen=True)
class Dossier:
    exposure: Exposure
    generated: str
    version: dict[str, Any]
    #: URL -> its latest local capture (``survkg archive``).
    captures: dict[str, Capture] = field(default_factory=dict)


def graph_version(store: Store) -> dict[str, Any]:
    """What identifies the graph a dossier was made from: the software version, the
    number of quads and the latest import (id and time), or the seeds alone."""
    imports = [r for r in list_imports(store) if not r.retracted_at]
    last = imports[-1] if imports else None
    return {"software": __version__, "quads": len(store),
            "last_import": last.id if last else None,
            "last_import_at": last.imported_at if last else None,
            "imports": len(imports)}


def build(store: Store, proj: Projection, iri: str, filters: Filters | None = None
          ) -> Dossier:
    f = replace(filters or Filters(), max_paths=MAX_PATHS)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    latest = {u: cs[-1] for u, cs in captures(store).items()}
    return Dossier(exposure(proj, iri, f), now, graph_version(store), latest)
