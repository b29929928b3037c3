"""Retracting an import: a recorded withdrawal, never a silent removal.

The import's triples leave the live graph (exposure, pages and queries stop seeing
them) but are first archived as N-Quads under the import's id, and the catalogue keeps
the import with when, by whom and why it was retracted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from graph.errors import Conflict, InvalidParameter
from graph.imports import catalogue
from graph.imports.pipeline import AuditLog, archive_path
from graph.store import Store, write_durably_bytes


def retract_import(store: Store, import_id: str, *, actor: str, reason: str,
                   audit: AuditLog | None = None) -> catalogue.ImportRecord:
    """Retract import ``import_id`` in one transaction; returns its updated record."""
    entry: dict[str, Any] = {"actor": actor, "operation": "retract", "import_id": import_id}
    try:
        if not reason.strip():
            raise InvalidParameter("reason", "a retraction needs a reason")
        record = catalogue.get_import(store, import_id)
        if record.retracted_at is not None:
            raise Conflict(f"import {import_id} was already retracted on "
                           f"{record.retracted_at} by {record.retracted_by}")
    except Exception as exc:
        if audit is not None:
            audit.record(outcome=f"refused: {exc}", **entry)
        raise
    graph = ox.NamedNode(record.graph)
    triples = list(store.quads(None, None, None, graph))
    target = archive_path(store, f"{import_id}.retracted.nq")
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_durably_bytes(target, ox.serialize(triples, format=ox.RdfFormat.N_QUADS) or b"")
    if audit is not None:
        audit.record(outcome="started", graph=record.graph,
                     triples=len(triples), detail=reason, **entry)
    store.update(catalogue.retraction_update(import_id, actor=actor, reason=reason,
                                             moment=datetime.now(UTC)))
    if audit is not None:
        audit.record(outcome="committed", graph=record.graph,
                     triples=len(triples), detail=reason, **entry)
    return catalogue.get_import(store, import_id)
