"""The ontology's closed lists, read from the ontology once: confidence levels and claim
statuses.

``ontology/survkg.ttl`` declares every confidence level (label, weight, rank) and every
claim status (label, whether it counts by default). Code that checks or offers these
values (the CSV findings reader, the FtM mapper, forms) takes them from here instead of
retyping them, so a level added to the ontology is accepted everywhere at once. The
exposure engine reads the same declarations from the store (they are in its ontology
graph), so a store's own ontology governs its scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from graph.bundled import ontology_files
from graph.namespaces import RDF_TYPE, RDFS_LABEL, SKG


@dataclass(frozen=True)
class Term:
    """A named individual of the ontology: its IRI, local name and English label."""

    iri: str
    label: str

    @property
    def local(self) -> str:
        return self.iri.removeprefix(SKG)

    @property
    def node(self) -> ox.NamedNode:
        return ox.NamedNode(self.iri)


@dataclass(frozen=True)
class ConfidenceLevel(Term):
    """How strongly a claim is evidenced: ``weight`` enters the exposure score, ``rank``
    orders levels for the minimum-confidence filter."""

    weight: float
    rank: int


@dataclass(frozen=True)
class ClaimStatus(Term):
    """Where a claim stands; ``counts_by_default``: adds exposure unless the user asks
    for unverified claims too."""

    counts_by_default: bool


@lru_cache(maxsize=1)
def _ontology() -> tuple[ox.Quad, ...]:
    return tuple(q for p in ontology_files()
                 for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))


def _members(cls: str) -> list[tuple[str, dict[str, str]]]:
    """Individuals of ``skg:<cls>`` in declaration order, with their ``skg:`` and label
    values by local property name."""
    quads = _ontology()
    kind = ox.NamedNode(SKG + cls)
    order = [q.subject.value for q in quads
             if q.predicate == RDF_TYPE and q.object == kind and isinstance(q.subject,
                                                                            ox.NamedNode)]
    values: dict[str, dict[str, str]] = {iri: {} for iri in order}
    for q in quads:
        props = values.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
        if props is None or not isinstance(q.object, ox.Literal):
            continue
        if q.predicate == RDFS_LABEL and q.object.language in (None, "en"):
            props.setdefault("label", q.object.value)
        elif q.predicate.value.startswith(SKG):
            props[q.predicate.value.removeprefix(SKG)] = q.object.value
    return [(iri, values[iri]) for iri in dict.fromkeys(order)]


@lru_cache(maxsize=1)
def confidence_levels() -> tuple[ConfidenceLevel, ...]:
    """Every ``skg:ConfidenceLevel``, in the order the ontology declares them."""
    return tuple(ConfidenceLevel(iri, v.get("label", iri.removeprefix(SKG)),
                                 float(v["weight"]), int(v["rank"]))
                 for iri, v in _members("ConfidenceLevel"))


@lru_cache(maxsize=1)
def claim_statuses() -> tuple[ClaimStatus, ...]:
    """Every ``skg:ClaimStatus``, in the order the ontology declares them."""
    return tuple(ClaimStatus(iri, v.get("label", iri.removeprefix(SKG)),
                             v.get("countsByDefault", "").strip().lower() in ("true", "1"))
                 for iri, v in _members("ClaimStatus"))
