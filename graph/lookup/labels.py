"""The one label rule: which of a resource's names a reader sees.

A resource is named by its ``rdfs:label``, else its ``skos:prefLabel``, else its
``dcterms:title`` (the predicate decides first, so a curated label always beats a title);
among several values of that predicate English (``en``, ``en-GB``...) comes first, then an
untagged literal, then any other language; ties go to the smallest text, so the choice
never depends on the order the store returns quads in. A resource with no name is called
by the end of its IRI (:func:`fallback_label`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from graph.namespaces import DCTERMS, RDFS_LABEL, SKOS
from graph.store import Store

#: Predicates whose values are names of the resource, in order of preference.
LABEL_PREDICATES = (RDFS_LABEL.value, SKOS + "prefLabel", DCTERMS + "title")
_RANK = {p: i for i, p in enumerate(LABEL_PREDICATES)}
_NODES = tuple(ox.NamedNode(p) for p in LABEL_PREDICATES)


def _lang_rank(lang: str | None) -> int:
    if not lang:
        return 1
    return 0 if lang == "en" or lang.startswith("en-") else 2


def label_key(predicate: str, literal: ox.Literal) -> tuple[int, int, str]:
    """Sort key of one candidate name: lower is preferred (see the module docstring)."""
    return (_RANK.get(predicate, len(_RANK)), _lang_rank(literal.language), literal.value)


def pick_label(names: Iterable[tuple[str, ox.Literal]]) -> str | None:
    """The preferred name among ``(predicate IRI, literal)`` pairs, or None."""
    best: tuple[int, int, str] | None = None
    for pred, lit in names:
        if pred in _RANK:
            key = label_key(pred, lit)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def label_of(store: Store, iri: str) -> str | None:
    """The label of one resource, read from the store (None when it has no name)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    names: list[tuple[str, ox.Literal]] = []
    for pred in _NODES:
        names += [(pred.value, q.object) for q in store.quads(node, pred, None, None)
                  if isinstance(q.object, ox.Literal)]
        if names:
            break  # a name under a better predicate always wins: skip the rest
    return pick_label(names)


def fallback_label(iri: str) -> str:
    """A readable name for a resource without a label: the end of its IRI."""
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri
