"""SHACL validation of data against ``ontology/shapes.ttl``, with readable violations.

pySHACL works on rdflib graphs, so quads are converted at this boundary only. The
ontology is passed as the ontology graph (class hierarchy for ``sh:class``), and the
``rdf:type`` of every IRI the data refers to but does not describe is copied from the
store, so a file that cites a source already in the store validates on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from graph.bundled import SHAPES, ontology_files
from graph.namespaces import RDF_TYPE, SH

if TYPE_CHECKING:
    from graph.store import Store


@dataclass
class ValidationReport:
    """Outcome of a SHACL run: ``violations`` are one line each, focus node first."""

    conforms: bool
    violations: Sequence[str] = field(default_factory=tuple)
    triples: int = 0


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
                   ) -> rdflib.term.Node:
    """A pyoxigraph term as rdflib's (pySHACL and rdflib's JSON-LD writer need them)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


def to_rdflib_graph(quads: Iterable[ox.Quad | ox.Triple]) -> rdflib.Graph:
    g = rdflib.Graph()
    for q in quads:
        g.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))
    return g


@lru_cache(maxsize=1)
def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


@lru_cache(maxsize=1)
def _ontology() -> rdflib.Graph:
    return to_rdflib_graph(q for p in ontology_files()
                           for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE,
                                             rename_blank_nodes=True))


@lru_cache(maxsize=1)
def _ontology_types() -> dict[rdflib.term.Node, tuple[rdflib.term.Node, ...]]:
    """``rdf:type`` of every resource the bundled ontology describes (technologies, levels...)."""
    out: dict[rdflib.term.Node, list[rdflib.term.Node]] = {}
    for s, o in _ontology().subject_objects(rdflib.RDF.type):
        out.setdefault(s, []).append(o)
    return {s: tuple(types) for s, types in out.items()}


def validate_quads(quads: Sequence[ox.Quad], *, context: Store | None = None) -> ValidationReport:
    """Validate ``quads`` (plus the types of what they reference, from ``context``).

    A resource the data refers to but does not describe gets its ``rdf:type`` from the
    bundled ontology (technologies, confidence levels, statuses, risk indicators) and from
    ``context``, so that ``sh:class`` constraints on the data can be checked. Such borrowed
    resources are not validated themselves (only their types are here, not their
    descriptions; they were validated when they were loaded): results whose focus node is
    one of them are dropped.
    """
    data = to_rdflib_graph(quads)
    described = {q.subject for q in quads}
    referenced = {q.object for q in quads
                  if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE}
    ont_types = _ontology_types()
    rdf_type = to_rdflib_term(RDF_TYPE)
    borrowed: set[rdflib.term.Node] = set()
    for obj in referenced - described:
        node = to_rdflib_term(obj)
        types = list(ont_types.get(node, ()))
        if context is not None:
            types += [to_rdflib_term(tq.object) for tq in context.quads(obj, RDF_TYPE, None, None)]
        for t in types:
            data.add((node, rdf_type, t))
        if types:
            borrowed.add(node)
    conforms, results, _ = shacl_validate(
        data, shacl_graph=_shapes(), ont_graph=_ontology(), inference="none",
        allow_warnings=True, advanced=True)
    if not conforms and borrowed:
        _drop_results_on(results, borrowed)
        sh = rdflib.Namespace(SH)
        conforms = not any(True for _ in results.subjects(sh.resultSeverity, sh.Violation))
    return ValidationReport(bool(conforms), _violations(results), len(quads))


def _drop_results_on(results: rdflib.Graph, nodes: set[rdflib.term.Node]) -> None:
    """Remove the validation results whose focus node is in ``nodes``."""
    sh = rdflib.Namespace(SH)
    for r in list(results.subjects(rdflib.RDF.type, sh.ValidationResult)):
        if results.value(r, sh.focusNode) in nodes:
            results.remove((r, None, None))


def _short(node: rdflib.term.Node, g: rdflib.Graph) -> str:
    if isinstance(node, rdflib.URIRef):
        return str(g.namespace_manager.normalizeUri(node)) if g else str(node)
    return str(node)


def _violations(results: rdflib.Graph) -> list[str]:
    """One readable line per sh:ValidationResult, sorted by focus node."""
    sh = rdflib.Namespace(SH)
    ns = _ontology().namespace_manager
    lines = []
    for r in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(r, sh.focusNode)
        path = results.value(r, sh.resultPath)
        msg = results.value(r, sh.resultMessage)
        sev = results.value(r, sh.resultSeverity)
        value = results.value(r, sh.value)
        where = ns.normalizeUri(focus) if isinstance(focus, rdflib.URIRef) else str(focus)
        if path is not None:
            where += " " + (ns.normalizeUri(path) if isinstance(path, rdflib.URIRef) else str(path))
        level = str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"
        text = f"{level}: {where}: {msg}"
        if value is not None:
            text += f" (value: {value})"
        lines.append(text)
    return sorted(lines)
