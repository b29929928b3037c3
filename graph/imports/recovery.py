"""After a crash: make the audit log agree with the store.

A write is recorded "started" (durably) before its transaction and "committed" after
it. A crash between the two leaves a "started" with no outcome. The store decides
what happened, because the transaction is atomic: if the import is in the catalogue
(or the retraction is recorded there), the write happened and the log gets a
"committed (recovered)" line; otherwise it never happened and the log gets "failed:
interrupted". Run on every start of the server and before every CLI write.
"""

from __future__ import annotations

from typing import Any, Protocol

from graph.imports import catalogue
from graph.store import Store


class ReadableAudit(Protocol):
    def record(self, *, actor: str, operation: str, outcome: str, **fields: Any) -> Any: ...

    def entries(self, limit: int | None = None,
                since_seq: int | None = None) -> list[dict[str, Any]]: ...


def reconcile(store: Store, audit: ReadableAudit) -> list[dict[str, Any]]:
    """Settle every write left "started" by a crash; returns the entries appended."""
    open_writes: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in audit.entries():
        key = (str(entry.get("operation")), str(entry.get("import_id")))
        if entry.get("import_id") is None:
            continue
        if entry.get("outcome") == "started":
            open_writes[key] = entry
        else:
            open_writes.pop(key, None)
    appended = []
    for (operation, import_id), entry in open_writes.items():
        found = catalogue.list_imports(store, import_id)
        if operation == "retract":
            done = bool(found) and found[0].retracted_at is not None
        else:
            done = bool(found)
        fields = {k: entry[k] for k in ("graph", "file", "sha256", "bytes", "triples")
                  if k in entry}
        outcome = ("committed (recovered after a crash: the transaction was durable)"
                   if done else "failed: interrupted by a crash before the commit")
        appended.append(audit.record(actor=str(entry.get("actor", "?")),
                                     operation=operation, outcome=outcome,
                                     import_id=import_id, **fields))
    return appended
