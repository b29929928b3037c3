"""Finding entities by name: the one resolver (CLI, API, pages, explorer), and search.

Names are every ``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel`` and
``skg:chineseName`` of a resource in survkg's id namespace, plus its local id. Matching is
case-insensitive. A :class:`NameIndex` is built once per store version (one scan per name
property): the web app keeps it in a :class:`~graph.versioned.VersionCache` on
``app.state``; without one, a call builds it (a CLI command resolves a name or two).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.errors import AmbiguousEntity, UnknownEntity
from graph.lookup.labels import fallback_label, label_key
from graph.lookup.names import close_matches
from graph.lookup.refs import Ref
from graph.namespaces import (
    ID,
    ONTOLOGY_GRAPH,
    RDF_TYPE,
    RDFS_LABEL,
    RDFS_SUBCLASSOF,
    SKG,
    SKOS_ALTLABEL,
    SKOS_PREFLABEL,
    iri_of,
    local_id,
    skg,
)
from graph.search_index import TextIndex
from graph.store import Store

#: Kinds of names, in the order a snippet prefers them.
_NAME_PROPS: tuple[tuple[str, ox.NamedNode], ...] = (
    ("label", RDFS_LABEL), ("label", SKOS_PREFLABEL), ("alias", SKOS_ALTLABEL),
    ("chinese", skg("chineseName")))
#: Resources of these classes (and subclasses) rank after the things they are about.
_SECONDARY = (SKG + "Claim", SKG + "Source")


#: A resolved or found entity: the one reference type (``types`` as skg: local names).
Entity = Ref


@dataclass
class NameIndex:
    """Every name of every resource in the id namespace (see the module docstring)."""

    version: int
    names: dict[str, list[tuple[str, str]]]      # iri -> [(kind, name)]
    label: dict[str, str]
    types: dict[str, list[str]]
    secondary: set[str]
    by_name: dict[str, set[str]]                 # casefolded name -> iris
    subclasses: dict[str, set[str]]
    text: TextIndex                              # full-text search (graph.search_index)


def build_index(store: Store) -> NameIndex:
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    label: dict[str, str] = {}
    label_prio: dict[str, tuple[int, int, str]] = {}
    for kind, prop in _NAME_PROPS:
        for q in store.quads(None, prop, None, None):
            s, o = q.subject, q.object
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(ID) \
                    or not isinstance(o, ox.Literal):
                continue
            if (kind, o.value) not in names[s.value]:
                names[s.value].append((kind, o.value))
            if kind == "label":  # the one label rule (graph.lookup.labels)
                prio = label_key(prop.value, o)
                if s.value not in label_prio or prio < label_prio[s.value]:
                    label[s.value], label_prio[s.value] = o.value, prio
    sub: dict[str, set[str]] = defaultdict(set)
    for q in store.quads(None, RDFS_SUBCLASSOF, None, ONTOLOGY_GRAPH):  # docs/security.md
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
    text = TextIndex(names, label, types, secondary, {i: local_id(i) for i in names})
    return NameIndex(store.version, dict(names), label, types, secondary, dict(by_name), dict(sub),
                     text)


def _below(sub: dict[str, set[str]], root: str) -> set[str]:
    out, todo = {root}, [root]
    while todo:
        for c in sub.get(todo.pop(), ()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _index(store: Store, index: NameIndex | None) -> NameIndex:
    if index is not None and index.version == store.version:
        return index
    return build_index(store)


def _entity(idx: NameIndex, iri: str) -> Entity:
    types = [t[len(SKG):] for t in idx.types.get(iri, []) if t.startswith(SKG)]
    return Entity(local_id(iri), iri, idx.label.get(iri) or fallback_label(iri), types)


def _describe(idx: NameIndex, iris: set[str] | list[str], ids: bool = False) -> list[str]:
    ordered = sorted(iris, key=lambda i: (i in idx.secondary, local_id(i)))[:10]
    if ids:
        return [local_id(i) for i in ordered]
    return [f"{idx.label.get(i) or fallback_label(i)} ({local_id(i)})" for i in ordered]


def resolve(store: Store, text: str, index: NameIndex | None = None, *,
            exact: bool = False) -> Entity:
    """The entity ``text`` names: an IRI, a local id, or a name. Every surface resolves
    with this function (CLI arguments, API paths and parameters, pages, the explorer).

    An id or IRI of anything the store states something about wins; then an exact
    (case-insensitive) match on a label, alias, Chinese name or id; then, unless ``exact``
    (web addresses name one thing and never guess), a unique partial match. Raises
    :class:`UnknownEntity` or :class:`AmbiguousEntity` with the closest candidates
    (``exact``: their ids; else "label (id)").
    """
    idx = _index(store, index)
    return _entity(idx, resolve_iri(store, text, idx, exact=exact))


def resolve_iri(store: Store, text: str, index: NameIndex | None = None, *,
                exact: bool = False) -> str:
    """The IRI :func:`resolve` finds; an id or IRI is checked before any index is built."""
    q = text.strip()
    if not q:
        raise UnknownEntity(text)
    iri = iri_of(q)
    if (index is not None and iri in index.names) or _stated(store, iri):
        return iri
    idx = _index(store, index)
    key = q.casefold()
    exact_hits = idx.by_name.get(key, set())
    if len(exact_hits) > 1:
        primary = {i for i in exact_hits if i not in idx.secondary}
        exact_hits = primary if len(primary) == 1 else exact_hits
    if len(exact_hits) == 1:
        return next(iter(exact_hits))
    if exact_hits:
        raise AmbiguousEntity(text, _describe(idx, exact_hits, exact))
    if not exact:
        partial = {i for name, iris in idx.by_name.items() if key in name for i in iris}
        primary = {i for i in partial if i not in idx.secondary}
        pick = primary or partial
        if len(pick) == 1:
            return next(iter(pick))
        if pick:
            raise AmbiguousEntity(text, _describe(idx, pick, exact))
    close = close_matches(key, idx.by_name, limit=8)
    raise UnknownEntity(text, _describe(idx, {i for c in close for i in idx.by_name[c]},
                                        exact))


def names_of(index: NameIndex, iri: str) -> list[tuple[str, str]]:
    """Every name of ``iri`` with its kind: ``label``, ``alias`` or ``chinese``."""
    return list(index.names.get(iri, ()))


def entity(index: NameIndex, iri: str) -> Entity:
    """The :class:`Entity` (id, label, types) of a known IRI."""
    return _entity(index, iri)


def _stated(store: Store, iri: str) -> bool:
    """Whether the store says anything about ``iri`` (False for text that is no IRI)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return next(iter(store.quads(node, None, None, None)), None) is not None


def search(store: Store, q: str, type: str | None = None, limit: int = 20, offset: int = 0,
           index: NameIndex | None = None) -> tuple[list[dict[str, Any]], int]:
    """Entities whose label, alias, Chinese name or id contains ``q`` (case-insensitive),
    best first: exact, then prefix, then word start, then anywhere; things before the
    claims and sources about them. ``type``: a class local name (``Organisation``) or IRI,
    subclasses included. Returns (page of ``{id, iri, label, types, snippet}``, total)."""
    idx = _index(store, index)
    key = q.strip().casefold()
    allowed: set[str] | None = None
    if type:
        cls = type if "://" in type else SKG + type
        allowed = _below(idx.subclasses, cls)
    page, total = idx.text.search(key, allowed, limit if limit >= 0 else -1, offset)
    rows = [{**_entity(idx, iri).to_dict(), "snippet": _snippet(idx, iri, key)}
            for iri, _ in page]
    return rows, total


def _snippet(idx: NameIndex, iri: str, key: str) -> str:
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
    return best[1] if best else idx.label.get(iri) or fallback_label(iri)


def suggest(store: Store, q: str, limit: int = 5, index: NameIndex | None = None
            ) -> list[dict[str, Any]]:
    """Entities whose names are close to ``q`` ("Cannon" -> Canon), with their types:
    what search offers when nothing, or little, contains ``q``."""
    idx = _index(store, index)
    return [_entity(idx, iri).to_dict() for iri in idx.text.close(q.strip().casefold(), limit)]
