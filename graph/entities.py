"""Finding entities by name: resolution for the CLI and API, and search.

Names are every ``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel`` and
``skg:chineseName`` of a resource in survkg's id namespace, plus its local id. Matching is
case-insensitive. The index is built once per store version (one scan per name property).
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.errors import AmbiguousEntity, UnknownEntity
from graph.namespaces import (
    ID,
    RDF_TYPE,
    RDFS_LABEL,
    RDFS_SUBCLASSOF,
    SKG,
    SKOS_ALTLABEL,
    SKOS_PREFLABEL,
    local_id,
    skg,
)
from graph.search_index import NameIndex
from graph.store import Store

#: Kinds of names, in the order a snippet prefers them.
_NAME_PROPS: tuple[tuple[str, ox.NamedNode], ...] = (
    ("label", RDFS_LABEL), ("label", SKOS_PREFLABEL), ("alias", SKOS_ALTLABEL),
    ("chinese", skg("chineseName")))
#: Resources of these classes (and subclasses) rank after the things they are about.
_SECONDARY = (SKG + "Claim", SKG + "Source")


@dataclass(frozen=True)
class Entity:
    id: str
    iri: str
    label: str
    types: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "iri": self.iri, "label": self.label, "types": self.types}


@dataclass
class _Index:
    version: int
    names: dict[str, list[tuple[str, str]]]      # iri -> [(kind, name)]
    label: dict[str, str]
    types: dict[str, list[str]]
    secondary: set[str]
    by_name: dict[str, set[str]]                 # casefolded name -> iris
    subclasses: dict[str, set[str]]
    fts: NameIndex


_CACHE: weakref.WeakKeyDictionary[Any, _Index] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _build(store: Store) -> _Index:
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    label: dict[str, str] = {}
    label_prio: dict[str, int] = {}
    for kind, prop in _NAME_PROPS:
        for q in store.quads(None, prop, None, None):
            s, o = q.subject, q.object
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(ID) \
                    or not isinstance(o, ox.Literal):
                continue
            if (kind, o.value) not in names[s.value]:
                names[s.value].append((kind, o.value))
            prio = (prop != RDFS_LABEL) * 2 + (o.language not in (None, "en"))
            if kind == "label" and prio < label_prio.get(s.value, 9):
                label[s.value], label_prio[s.value] = o.value, prio
    sub: dict[str, set[str]] = defaultdict(set)
    for q in store.quads(None, RDFS_SUBCLASSOF, None, None):
        if isinstance(q.object, ox.NamedNode) and isinstance(q.subject, ox.NamedNode):
            sub[q.object.value].add(q.subject.value)
    types: dict[str, list[str]] = {}
    for iri in names:
        ts = {q.object.value for q in store.quads(ox.NamedNode(iri), RDF_TYPE, None, None)
              if isinstance(q.object, ox.NamedNode)}
        types[iri] = sorted(ts)
    secondary_classes: set[str] = set()
    for root in _SECONDARY:
        secondary_classes |= _below(sub, root)
    secondary = {i for i, ts in types.items() if secondary_classes & set(ts)}
    by_name: dict[str, set[str]] = defaultdict(set)
    for iri, ns in names.items():
        for _, n in ns:
            by_name[n.casefold()].add(iri)
        by_name[local_id(iri).casefold()].add(iri)
    fts = NameIndex(names, label, types, secondary, {i: local_id(i) for i in names})
    return _Index(store.version, dict(names), label, types, secondary, dict(by_name), dict(sub),
                  fts)


def _below(sub: dict[str, set[str]], root: str) -> set[str]:
    out, todo = {root}, [root]
    while todo:
        for c in sub.get(todo.pop(), ()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _index(store: Store) -> _Index:
    with _LOCK:
        idx = _CACHE.get(store)
        if idx is None or idx.version != store.version:
            idx = _build(store)
            _CACHE[store] = idx
        return idx


def _entity(idx: _Index, iri: str) -> Entity:
    types = [t[len(SKG):] for t in idx.types.get(iri, []) if t.startswith(SKG)]
    return Entity(local_id(iri), iri, idx.label.get(iri) or local_id(iri), types)


def _describe(idx: _Index, iris: set[str] | list[str]) -> list[str]:
    return [f"{idx.label.get(i, local_id(i))} ({local_id(i)})"
            for i in sorted(iris, key=lambda i: (i in idx.secondary, local_id(i)))][:10]


def resolve(store: Store, text: str) -> Entity:
    """The entity ``text`` names: an IRI, a local id, or a name.

    An exact (case-insensitive) match on a label, alias, Chinese name or id wins; else a
    unique partial match. Raises :class:`UnknownEntity` or :class:`AmbiguousEntity` with
    the closest candidates.
    """
    idx = _index(store)
    q = text.strip()
    if not q:
        raise UnknownEntity(text)
    if q in idx.names or (q.startswith(ID) and q in idx.types):
        return _entity(idx, q)
    iri = ID + q.lstrip("/")
    if iri in idx.names:
        return _entity(idx, iri)
    key = q.casefold()
    exact = idx.by_name.get(key, set())
    if len(exact) > 1:
        primary = {i for i in exact if i not in idx.secondary}
        exact = primary if len(primary) == 1 else exact
    if len(exact) == 1:
        return _entity(idx, next(iter(exact)))
    if exact:
        raise AmbiguousEntity(text, _describe(idx, exact))
    partial = {i for name, iris in idx.by_name.items() if key in name for i in iris}
    primary = {i for i in partial if i not in idx.secondary}
    pick = primary or partial
    if len(pick) == 1:
        return _entity(idx, next(iter(pick)))
    if pick:
        raise AmbiguousEntity(text, _describe(idx, pick))
    raise UnknownEntity(text, _describe(idx, idx.fts.close(key)))


def search(store: Store, q: str, type: str | None = None, limit: int = 20, offset: int = 0
           ) -> tuple[list[dict[str, Any]], int]:
    """Entities whose label, alias, Chinese name or id contains ``q`` (case-insensitive),
    best first: exact, then prefix, then word start, then anywhere; things before the
    claims and sources about them. ``type``: a class local name (``Organisation``) or IRI,
    subclasses included. Returns (page of ``{id, iri, label, types, snippet}``, total)."""
    idx = _index(store)
    key = q.strip().casefold()
    allowed: set[str] | None = None
    if type:
        cls = type if "://" in type else SKG + type
        allowed = _below(idx.subclasses, cls)
    page, total = idx.fts.search(key, allowed, limit if limit >= 0 else -1, offset)
    rows = [{**_entity(idx, iri).to_dict(), "snippet": _snippet(idx, iri, key)}
            for iri, _ in page]
    return rows, total


def _snippet(idx: _Index, iri: str, key: str) -> str:
    """The name of ``iri`` that best matches ``key`` (``alias: ...`` for an alias)."""
    best: tuple[int, str] | None = None
    for kind, name in [*idx.names.get(iri, []), ("id", local_id(iri))]:
        n = name.casefold()
        if not key:
            rank = 3
        elif n == key:
            rank = 0
        elif n.startswith(key):
            rank = 1
        elif f" {key}" in f" {n}" or f"/{key}" in n:
            rank = 2
        elif key in n:
            rank = 3
        else:
            continue
        snippet = name if kind in ("label", "id") else f"{kind}: {name}"
        if best is None or rank < best[0]:
            best = (rank, snippet)
    return best[1] if best else idx.label.get(iri, local_id(iri))


def suggest(store: Store, q: str, limit: int = 5) -> list[dict[str, Any]]:
    """Entities whose names are close to ``q`` ("Cannon" -> Canon), with their types:
    what search offers when nothing, or little, contains ``q``."""
    idx = _index(store)
    return [_entity(idx, iri).to_dict() for iri in idx.fts.close(q.strip().casefold(), limit)]
