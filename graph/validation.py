"""SHACL validation of data against ``ontology/shapes.ttl``, with readable violations.

By default the shapes run compiled to SPARQL inside pyoxigraph (:mod:`graph.shacl`,
~30x faster). ``SURVKG_VALIDATOR=pyshacl`` runs pySHACL, the reference, as below; the
differential test (tests/test_shacl_compiled.py) keeps the two in agreement.

pySHACL works on rdflib graphs, so quads are converted at this boundary only. The
ontology is passed as the ontology graph (class hierarchy for ``sh:class``), and the
``rdf:type`` of every IRI the data refers to but does not describe is copied from the
store, so a file that cites a source already in the store validates on its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib

from graph.bundled import SHAPES, ontology_files
from graph.namespaces import RDF_TYPE, SH
from graph.shacl.report import Result

if TYPE_CHECKING:
    from graph.store import Store


@dataclass
class ValidationReport:
    """Outcome of a SHACL run: ``violations`` are one line each, focus node first;
    ``results`` the same, structured."""

    conforms: bool
    violations: Sequence[str] = field(default_factory=tuple)
    triples: int = 0
    results: Sequence[Result] = field(default_factory=tuple)
    validator: str = "sparql"

    @classmethod
    def of(cls, results: Sequence[Result], triples: int, validator: str) -> ValidationReport:
        ordered = sorted(results, key=Result.sort_key)
        return cls(not any(r.severity == "Violation" for r in ordered),
                   [r.line() for r in ordered], triples, tuple(ordered), validator)


#: The validators ``SURVKG_VALIDATOR`` (or ``validator=``) can name.
VALIDATORS = ("sparql", "pyshacl")


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


@lru_cache(maxsize=4)
def _shapes(path: Path = SHAPES) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


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


def validate_quads(quads: Sequence[ox.Quad], *, context: Store | None = None,
                   validator: str | None = None, shapes: Path = SHAPES) -> ValidationReport:
    """Validate ``quads`` (plus the types of what they reference, from ``context``) with
    ``validator`` (default ``$SURVKG_VALIDATOR``, else ``"sparql"``, the compiled shapes).

    A resource the data refers to but does not describe gets its ``rdf:type`` from the
    bundled ontology (technologies, confidence levels, statuses, risk indicators) and from
    ``context``, so that ``sh:class`` constraints on the data can be checked. Such borrowed
    resources are not validated themselves (only their types are here, not their
    descriptions; they were validated when they were loaded): results whose focus node is
    one of them are dropped.
    """
    chosen = validator or os.environ.get("SURVKG_VALIDATOR") or "sparql"
    if chosen not in VALIDATORS:
        raise ValueError(f"SURVKG_VALIDATOR must be one of {', '.join(VALIDATORS)}, "
                         f"not {chosen!r}")
    if chosen == "sparql":
        from graph.shacl.engine import validate

        return ValidationReport.of(validate(quads, context, shapes), len(quads), chosen)
    return _validate_pyshacl(quads, context, shapes)


def _validate_pyshacl(quads: Sequence[ox.Quad], context: Store | None,
                      shapes: Path) -> ValidationReport:
    from pyshacl import validate as shacl_validate  # ~1 s to import; the reference only

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
        data, shacl_graph=_shapes(shapes), ont_graph=_ontology(), inference="none",
        allow_warnings=True, advanced=True)
    found = [] if conforms else [r for r in _results(results)
                                 if r.focus not in {_node_text(b) for b in borrowed}]
    return ValidationReport.of(found, len(quads), "pyshacl")


def _node_text(node: rdflib.term.Node | None) -> str:
    return f"<{node}>" if isinstance(node, rdflib.URIRef) else str(node)


def _results(results: rdflib.Graph) -> list[Result]:
    """The report's top-level results (``sh:result``; not the ``sh:detail`` of nested
    shapes, which pySHACL also types sh:ValidationResult) as :class:`Result`."""
    sh = rdflib.Namespace(SH)
    out = []
    for r in results.objects(None, sh.result):
        path = results.value(r, sh.resultPath)
        value = results.value(r, sh.value)
        sev = results.value(r, sh.resultSeverity)
        out.append(Result(
            focus=_node_text(results.value(r, sh.focusNode)),
            path=f"<{path}>" if path is not None else None,
            component=str(results.value(r, sh.sourceConstraintComponent)),
            value=str(value) if value is not None else None,
            message=str(results.value(r, sh.resultMessage)),
            severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"))
    return out
