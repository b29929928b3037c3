"""SPARQL Update as an audited write: ``started`` before, ``committed`` after, settled later.

An update can run long and change much (126k quads in one request), so like an import
it is recorded *before* it runs (``started``, with its text) and after (``committed``,
or why it failed). If the process dies in between, only the store knows whether the
transaction committed; so the update carries a marker: one quad, written in the same
transaction (the engine runs all operations of one request atomically), in a graph of
its own. After the commit is recorded the marker is removed. On the next start
:func:`settle` finds every ``started`` with no outcome and asks the store: marker there,
the update committed; no marker, it never happened. Then the log agrees with the store.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyoxigraph as ox

from graph.errors import QueryError
from graph.imports.recovery import ReadableAudit
from graph.namespaces import GRAPH, ID, PROV
from graph.store import Store
from graph.tokens import now

OPERATION = "sparql-update"
#: Where markers of updates in flight live (empty between updates).
MARKERS_GRAPH = ox.NamedNode(GRAPH + "state/sparql-updates")
_ENDED = ox.NamedNode(PROV + "endedAtTime")


def _subject(update_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}sparql-update/{update_id}")


def _with_marker(text: str, update_id: str) -> str:
    # A newline first: the text may end in a comment.
    return (f"{text}\n;\nINSERT DATA {{ GRAPH {MARKERS_GRAPH} {{ {_subject(update_id)} "
            f"{_ENDED} {ox.Literal(now())} }} }}")


def _clear_markers(store: Store) -> None:
    # Updates run one at a time and settle() runs before the first: the graph holds
    # only the marker just recorded. Dropped whole, so no empty graph is left listed.
    store.update(f"DROP SILENT GRAPH {MARKERS_GRAPH}")


def run_audited(store: Store, audit: ReadableAudit, text: str, *, actor: str,
                **fields: Any) -> str:
    """Run ``text`` as one transaction, recorded ``started`` then ``committed``.

    Returns the update's id. A failed update is recorded with its reason and re-raised
    as :class:`QueryError`; nothing of it is in the store.
    """
    update_id = uuid.uuid4().hex
    audit.record(actor=actor, operation=OPERATION, outcome="started", update_id=update_id,
                 **fields)
    try:
        store.update(_with_marker(text, update_id))
    except (QueryError, OSError, ValueError, RuntimeError, SyntaxError) as exc:
        reason = str(exc).removeprefix("SPARQL syntax error: ")
        audit.record(actor=actor, operation=OPERATION, update_id=update_id,
                     outcome=f"refused: update failed, nothing was changed: {reason}")
        raise QueryError(f"update failed, nothing was changed: {reason}") from exc
    audit.record(actor=actor, operation=OPERATION, outcome="committed", update_id=update_id)
    _clear_markers(store)
    return update_id


def settle(store: Store, audit: ReadableAudit) -> list[dict[str, Any]]:
    """Give every update left ``started`` by a crash its outcome, from the store."""
    open_updates: dict[str, dict[str, Any]] = {}
    for entry in audit.entries():
        update_id = entry.get("update_id")
        if entry.get("operation") != OPERATION or update_id is None:
            continue
        if entry.get("outcome") == "started":
            open_updates[str(update_id)] = entry
        else:
            open_updates.pop(str(update_id), None)
    appended = []
    for update_id, entry in open_updates.items():
        done = bool(store.query(f"ASK {{ GRAPH {MARKERS_GRAPH} {{ {_subject(update_id)} "
                                "?p ?o } }"))
        outcome = ("committed (recovered after a crash: the transaction was durable)"
                   if done else "failed: interrupted by a crash before the commit")
        appended.append(audit.record(actor=str(entry.get("actor", "?")), operation=OPERATION,
                                     outcome=outcome, update_id=update_id))
    if MARKERS_GRAPH in store.named_graphs():
        _clear_markers(store)
    return appended
