"""Comparing query results the way the W3C suites mean it: as multisets, up to bnode names.

Rows without blank nodes are compared as a multiset of rows (a readable diff on failure);
rows with blank nodes are turned into a graph (one blank node per row, one triple per
binding) and both sides are canonicalised by pyoxigraph (RDFC-1.0), so blank nodes match
by structure. Numeric literals are compared by value ("1.0" and "1" as
xsd:decimal; "0" and "false" as xsd:boolean): the store keeps canonical forms.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

ROW = "urn:x-survkg-test:row"
XSD = "http://www.w3.org/2001/XMLSchema#"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
_NUMERIC = {XSD + "integer", XSD + "decimal", XSD + "double", XSD + "float"}
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Rows = list[dict[str, Term]]
Results = bool | Rows


def _value(term: Term) -> Term:
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "boolean":
        return ox.Literal(term.value in ("1", "true"))
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        try:
            number = Decimal(term.value)
        except InvalidOperation:
            return term
        text = "0" if number == 0 else format(number.normalize(), "f")
        return ox.Literal(text, datatype=term.datatype)
    return term


def from_solutions(result: ox.QuerySolutions | ox.QueryBoolean) -> Results:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]  # type: ignore[misc]


def from_rdf(triples: list[ox.Triple]) -> Results:
    """A result set written in the old ``rs:`` vocabulary (``.ttl`` expected results)."""
    out: dict[object, list[ox.Triple]] = {}
    for t in triples:
        out.setdefault(t.subject, []).append(t)

    def objects(node: object, pred: str) -> list[Term]:
        return [t.object for t in out.get(node, [])  # type: ignore[misc]
                if t.predicate.value == RS + pred]

    rows: Rows = []
    for t in triples:
        if t.predicate.value == RS + "boolean":
            return t.object.value == "true"
        if t.predicate.value == RS + "solution":
            rows.append({objects(b, "variable")[0].value: objects(b, "value")[0]
                         for b in objects(t.object, "binding")})
    return rows


def _canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def comparable(results: Results) -> object:
    """A value equal for two result sets exactly when the suites count them as equal."""
    if isinstance(results, bool):
        return results
    if not any(isinstance(v, ox.BlankNode) for row in results for v in row.values()):
        return Counter(frozenset((k, _value(v)) for k, v in row.items()) for row in results)
    quads = []
    for row in results:
        node = ox.BlankNode()
        quads.append(ox.Quad(node, ox.NamedNode(ROW), ox.NamedNode(ROW)))
        quads += [ox.Quad(node, ox.NamedNode(ROW + "#" + k), _value(v)) for k, v in row.items()]
    return _canonical(quads)


def rdf_graph(triples: list[ox.Quad] | list[ox.Triple]) -> set[ox.Quad]:
    return _canonical([ox.Quad(t.subject, t.predicate, _value(t.object))  # type: ignore[arg-type]
                       for t in triples])
