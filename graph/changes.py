"""What changed: imports and retractions, each with the exposure it changed.

An analyst watching a portfolio asks "what moved since last week, and why". The events
come from the import catalogue (:mod:`graph.imports.catalogue`): every import and every
retraction, with who and when. The exposure an event changed is computed against the
graph as it is now: for an import in force, the ranking with and without the import's
named graph; for a retraction, with and without the triples it withdrew (archived as
N-Quads when it was made); for an import since retracted, the same, reversed. For each
organisation whose score differs: the score before and after, and the exposure paths
gained and lost (a path is named by its chain of claims). The comparison is cached per
store version; it copies the store into memory, so it suits graphs of up to a few
hundred thousand triples (see docs/desk.md).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.exposure import EntityRef, Filters, exposure, ranking
from graph.exposure.model import ToDict
from graph.imports import catalogue
from graph.imports.pipeline import archive_path
from graph.loading import open_store
from graph.projection import Projection, build_projection
from graph.store import Store


@dataclass(frozen=True)
class ScoreChange(ToDict):
    organisation: EntityRef
    before: float
    after: float
    paths_gained: list[list[str]]
    paths_lost: list[list[str]]


@dataclass(frozen=True)
class Change(ToDict):
    """One event: ``kind`` is ``import`` or ``retraction``; ``at`` its time (UTC)."""

    kind: str
    at: str
    import_id: str
    actor: str
    file: str
    reason: str | None
    exposure: list[ScoreChange] = field(default_factory=list)


_CACHE: weakref.WeakKeyDictionary[Any, tuple[int, dict[tuple[str, str], list[ScoreChange]]]] \
    = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_FILTERS = Filters(max_paths=1000)


def _copy(store: Store, without: ox.NamedNode | None = None,
          extra: Iterable[ox.Quad] = ()) -> Store:
    mem = open_store(memory=True, seed=False)
    mem.extend([q for q in store.quads(None, None, None, None) if q.graph_name != without])
    mem.extend(list(extra))
    return mem


def _paths(proj: Projection, iri: str) -> set[tuple[str, ...]]:
    if not proj.known(iri):
        return set()
    x = exposure(proj, iri, _FILTERS, explain=False)
    return {tuple(h.relation["id"] for h in p.hops) for p in x.paths}


def diff(before: Projection, after: Projection) -> list[ScoreChange]:
    """Organisations whose score differs between two projections, with paths."""
    old = {e.subject.iri: e for e in ranking(before, _FILTERS).entries}
    new = {e.subject.iri: e for e in ranking(after, _FILTERS).entries}
    out = []
    for iri in sorted(old.keys() | new.keys()):
        a = old[iri].score if iri in old else 0.0
        b = new[iri].score if iri in new else 0.0
        if a == b:
            continue
        ref = (new.get(iri) or old[iri]).subject
        pa, pb = _paths(before, iri), _paths(after, iri)
        out.append(ScoreChange(ref, a, b, [list(p) for p in sorted(pb - pa)],
                               [list(p) for p in sorted(pa - pb)]))
    out.sort(key=lambda c: (-abs(c.after - c.before), c.organisation.id))
    return out


def _effect(store: Store, rec: catalogue.ImportRecord, kind: str) -> list[ScoreChange]:
    graph = ox.NamedNode(rec.graph)
    if kind == "import" and rec.retracted_at is None:
        return diff(build_projection(_copy(store, without=graph)), build_projection(store))
    if kind == "retraction":
        path = archive_path(store, f"{rec.id}.retracted.nq")
        if path is None or not path.is_file():
            return []
        quads = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.N_QUADS))
        return diff(build_projection(_copy(store, extra=quads)), build_projection(store))
    # An import since retracted: what it added is what its retraction took away.
    return [ScoreChange(c.organisation, c.after, c.before, c.paths_lost, c.paths_gained)
            for c in _effect(store, rec, "retraction")]


def changes(store: Store, since: str | None = None, entity: str | None = None,
            watch: Iterable[str] = ()) -> list[Change]:
    """Events newest first; ``since``: an ISO date or time; ``entity``: an organisation
    IRI whose exposure the event changed; ``watch``: only events changing one of these."""
    events: list[tuple[str, str, catalogue.ImportRecord]] = []
    for rec in catalogue.list_imports(store):
        events.append((rec.imported_at, "import", rec))
        if rec.retracted_at:
            events.append((rec.retracted_at, "retraction", rec))
    events = [e for e in events if not since or e[0] >= since]
    events.sort(key=lambda e: (e[0], e[1] == "retraction"), reverse=True)
    with _LOCK:
        version, cache = _CACHE.get(store, (-1, {}))
        if version != store.version:
            cache = {}
            _CACHE[store] = (store.version, cache)
    wanted = {entity} if entity else set(watch)
    out = []
    for at, kind, rec in events:
        key = (rec.id, kind)
        if key not in cache:
            cache[key] = _effect(store, rec, kind)
        effect = cache[key]
        if wanted and not any(c.organisation.iri in wanted for c in effect):
            continue
        actor = (rec.retracted_by or "") if kind == "retraction" else rec.imported_by
        out.append(Change(kind, at, rec.id, actor, rec.file,
                          rec.retraction_reason if kind == "retraction" else None, effect))
    return out


def last_changed(store: Store, iri: str) -> catalogue.ImportRecord | None:
    """The latest import in force that states something about ``iri`` (None: only the
    seeds or a direct load do). Retractions are not seen here: their triples are gone."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    graphs = {q.graph_name.value for q in store.quads(node, None, None, None)
              if isinstance(q.graph_name, ox.NamedNode)}
    found = [r for r in catalogue.list_imports(store)
             if r.graph in graphs and r.retracted_at is None]
    return max(found, key=lambda r: r.imported_at, default=None)
