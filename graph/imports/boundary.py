"""The trust boundary of an import: what a file may assert, and what it may not.

Anyone with a write token can import, so an import must not change how everyone else's
exposure is scored or forge someone else's provenance. An import adds claims and
entities *of its own*, in a graph of its own. It may not assert:

* statements about ontology terms: anything in the ``skg:`` namespace or any term the
  bundled ontology graph defines (statuses, confidence levels, classes, properties,
  technologies, risk indicators), e.g. ``skg:Disputed skg:countsByDefault true`` or
  ``skg:Company rdfs:subClassOf skg:PublicSecurityBody``;
* scoring configuration or class hierarchy on terms of its own
  (:data:`CONFIG_PROPERTIES`, :data:`SCHEMA_PROPERTIES`): the engine reads them from the
  ontology graph only, so such a statement could only mislead a reader of the graph;
* statements about a claim it did not create (a claim already in the store): a second
  status, a new weight, a new evidence link on someone else's claim are new claims of
  the importer's own, such as a finding that disputes it (``skg:respondsTo``,
  ``skg:about`` pointing *at* the claim are fine). Restating a triple the store already
  holds (a forced second copy of the same file) changes nothing and is let through;
* statements about a record of the imports catalogue (who imported what, when): that
  provenance is written by survkg only;
* quads in a graph other than its own (checked by the pipeline as it parses: a TriG or
  N-Quads file naming a survkg graph or a graph already in the store is refused).

Each refusal names the statement, why, and where in the file it is.

A store without the bundled ontology (made with ``open_store(seed=False)``, e.g. to
take a full dump in) has no ontology to protect: there, statements about ``skg:`` terms
and survkg's graph names are let through (into the import's own graph, which the engine
never reads configuration from); claims and catalogue records are guarded everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from graph.imports.checks import MAX_LISTED, located
from graph.imports.screen import location
from graph.interchange.model import Problem
from graph.namespaces import GRAPH, IMPORTS_GRAPH, ONTOLOGY_GRAPH, OWL, RDF_TYPE, RDFS, SKG
from graph.queries import subclasses_of, term_text
from graph.store import Store

#: Properties whose values configure scoring; the engine reads them from the ontology
#: graph only (graph/projection.py), so an import never sets them.
CONFIG_PROPERTIES = frozenset(SKG + p for p in (
    "weight", "rank", "countsByDefault", "exposureRole", "severity", "propagation",
    "appliesToClass", "relationWeight"))
#: Properties that shape the vocabulary itself (class and property hierarchy).
SCHEMA_PROPERTIES = frozenset({
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
    OWL + "equivalentClass", OWL + "equivalentProperty", OWL + "inverseOf"})


def ontology_terms(store: Store) -> frozenset[str]:
    """Every IRI the bundled ontology graph says something about."""
    return frozenset(q.subject.value for q in store.quads(None, None, None, ONTOLOGY_GRAPH)
                     if isinstance(q.subject, ox.NamedNode))


def boundary_problems(quads: Iterable[ox.Quad], store: Store, *, text: str | None,
                      name: str) -> list[Problem]:
    """Every statement of ``quads`` that crosses the trust boundary (at most
    :data:`graph.imports.checks.MAX_LISTED`), located in ``text`` where possible."""
    terms = ontology_terms(store)
    guarded = bool(terms)  # a store without the bundled ontology has none to protect
    claim_classes = subclasses_of(store, SKG + "Claim")
    existing_claim: dict[str, bool] = {}
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()

    def is_existing_claim(iri: str) -> bool:
        got = existing_claim.get(iri)
        if got is None:
            got = existing_claim[iri] = any(
                isinstance(q.object, ox.NamedNode) and q.object.value in claim_classes
                for q in store.quads(ox.NamedNode(iri), RDF_TYPE, None, None))
        return got

    catalogued: dict[str, bool] = {}

    def in_catalogue(iri: str) -> bool:
        got = catalogued.get(iri)
        if got is None:
            got = catalogued[iri] = next(iter(store.quads(
                ox.NamedNode(iri), None, None, IMPORTS_GRAPH)), None) is not None
        return got

    named, skg_ns = ox.NamedNode, SKG
    for q in quads:
        s, p = q.subject, q.predicate.value
        iri = s.value if type(s) is named else None
        if guarded and iri is not None and (iri.startswith(skg_ns) or iri in terms):
            key = ("term", iri)
        elif iri is not None and is_existing_claim(iri) and not stored(store, q):
            key = ("claim", iri)
        elif iri is not None and in_catalogue(iri):
            key = ("record", iri)
        elif guarded and (p in CONFIG_PROPERTIES or p in SCHEMA_PROPERTIES):
            key = ("property", p)
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        problems.append(_problem(key, q, text, name))
        if len(problems) >= MAX_LISTED:
            break
    return problems


def _problem(key: tuple[str, str], q: ox.Quad, text: str | None, name: str) -> Problem:
    kind, iri = key
    statement = f"{term_text(q.subject)} {term_text(q.predicate)} {term_text(q.object)}"[:160]
    if kind == "term":
        return _at_subject(f"statement about the ontology term {term_text(q.subject)} is "
                           f"refused ({statement}): the ontology is read only from the "
                           "bundled files, an import cannot change it", iri, text, name)
    if kind == "record":
        return _at_subject(f"statement about {term_text(q.subject)}, a record of the "
                           f"imports catalogue, is refused ({statement}): provenance is "
                           "written by survkg only", iri, text, name)
    if kind == "claim":
        return _at_subject(f"statement about the existing claim {term_text(q.subject)} is "
                           f"refused ({statement}): an import adds claims of its own and "
                           "never changes someone else's (record e.g. a finding that "
                           "disputes it instead)", iri, text, name)
    return located(f"{term_text(q.predicate)} is refused in an import ({statement}): "
                   "scoring configuration and the class hierarchy are read only from the "
                   "bundled ontology", iri, text, name)


def stored(store: Store, q: ox.Quad) -> bool:
    """Whether the store already holds the triple (in any graph): restating a claim as it
    stands (a forced second copy of a file) changes nothing about it."""
    if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
        return False  # refused by check_quads before this is asked
    return next(iter(store.quads(q.subject, q.predicate, q.object, None)), None) is not None


def _at_subject(message: str, iri: str, text: str | None, name: str) -> Problem:
    """Located where ``iri`` first starts a line as ``<iri>`` or ``prefix:local`` (where a
    Turtle statement about it most likely begins), else where it first appears."""
    if text:
        local = re.escape(re.split(r"[#/]", iri)[-1])
        m = re.search(rf"(?m)^[ \t]*(?:<{re.escape(iri)}>|[\w.-]*:{local})(?=[\s;,])", text)
        if m is not None:
            line, column = location(text, m.end() - len(m.group().lstrip()))
            return Problem(message, file=name, line=line, column=column)
    return located(message, iri, text, name)


def foreign_graph_problems(graphs: Iterable[ox.NamedNode | ox.BlankNode], store: Store, *,
                           text: str | None, name: str) -> list[Problem]:
    """Refusals for quads a file puts in one of survkg's graphs (ontology, seeds,
    catalogue, another import) or in any graph already in the store. A graph name of the
    file's own is no problem: its quads go into the import's graph."""
    stored = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    guarded = ONTOLOGY_GRAPH.value in stored
    return [located(f"quads in the named graph <{g.value}> are refused: an import writes "
                    "only into its own graph, never into another one", g.value, text, name)
            for g in graphs
            if isinstance(g, ox.NamedNode)
            and ((guarded and g.value.startswith(GRAPH)) or g.value in stored)]
