"""Shapes (:mod:`graph.shacl.model`) compiled to SPARQL SELECT queries, one per
constraint of a targeted shape, each returning the focus nodes (and value nodes) that
violate it.

Why SPARQL: the store's own engine then does the joins in Rust, over the data plus
whatever context the caller put beside it, with no copy into rdflib; a query per
constraint keeps every result tied to its shape, path and constraint component the way
a SHACL report is. Shapes nested in ``sh:or``, ``sh:not`` and ``sh:node`` become boolean
expressions (``EXISTS`` patterns) evaluated on the value node.

Implemented: targets by class, node, subject and object; predicate paths; the value
type, cardinality, range, string (length, pattern), logical (``sh:and``, ``sh:or``,
``sh:not``, ``sh:xone``), shape (``sh:node``, nested ``sh:property``) and
``sh:hasValue`` / ``sh:in`` constraints. Not implemented, hence refused by the model
(validate with ``SURVKG_VALIDATOR=pyshacl`` if a shape needs them): property paths other
than a predicate, ``sh:languageIn``, ``sh:uniqueLang``, property pair constraints
(``sh:equals``, ``sh:disjoint``, ``sh:lessThan``...), qualified value shapes,
``sh:closed``, SPARQL-based constraints and targets, recursive shapes.

Semantics follow SHACL Core as pySHACL implements it, with one deliberate difference:
``sh:datatype`` also refuses ill-formed ``xsd:gYear``, ``xsd:gYearMonth`` and exponent
``xsd:decimal`` literals (the engine knows these types; rdflib does not check them, so
pySHACL accepts ``"20x"^^xsd:gYear``), as the SHACL specification asks.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from graph.namespaces import RDF, RDFS, SH, XSD
from graph.shacl.model import CONSTRAINTS, Constraint, Shape, Term, UnsupportedShape

#: Datatypes whose well-formedness the engine checks by a cast to the same type (an
#: ill-formed literal casts to an error). Other datatypes: any lexical form passes, as in
#: pySHACL.
CASTABLE = frozenset(XSD + t for t in (
    "boolean", "integer", "decimal", "float", "double", "date", "time", "dateTime",
    "gYear", "gYearMonth", "duration", "dayTimeDuration", "yearMonthDuration"))

#: The constraint component IRI of each constraint kind, as in a SHACL report.
COMPONENT = {k: f"{SH}{k[0].upper()}{k[1:]}ConstraintComponent" for k in CONSTRAINTS}

VALUE_KINDS = frozenset(CONSTRAINTS) - {"minCount", "maxCount", "hasValue"}

#: ``sh:nodeKind`` values and the SPARQL test of each.
NODE_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
              "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
              "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
              "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))"}
COMPARISON = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">",
              "maxExclusive": "<"}


@dataclass(frozen=True)
class Check:
    """One compiled query and what its rows mean."""

    shape: Shape
    source: Shape  # the shape whose message and severity a result carries
    constraint: Constraint
    path: ox.NamedNode | None
    sparql: str
    has_value: bool


def term(t: Term) -> str:
    """A term in SPARQL syntax."""
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.Literal):
        text = json.dumps(t.value)
        if t.language:
            return f"{text}@{t.language}"
        return f"{text}^^<{t.datatype.value}>"
    raise UnsupportedShape(f"a blank node {t} as a constraint value")


class _Compiler:
    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def var(self) -> str:
        return f"?_v{next(self.counter)}"

    # -- a value node: does ``v`` satisfy one constraint (node-level semantics)?
    def value_ok(self, c: Constraint, v: str) -> str:
        kind = c.kind
        if kind == "class":
            return (f"EXISTS {{ {v} <{RDF}type>/<{RDFS}subClassOf>* {term(self._iri(c))} }}")
        if kind == "datatype":
            dt = self._iri(c).value
            if dt == RDF + "langString":
                return f"COALESCE(isLiteral({v}) && lang({v}) != \"\", false)"
            test = f"isLiteral({v}) && lang({v}) = \"\" && datatype({v}) = <{dt}>"
            if dt in CASTABLE:
                test += f" && datatype(<{dt}>({v})) = <{dt}>"
            return f"COALESCE({test}, false)"
        if kind == "pattern":
            assert isinstance(c.value, ox.Literal)
            flags = f", {json.dumps(c.flags)}" if c.flags else ""
            return (f"COALESCE(!isBlank({v}) && REGEX(STR({v}), "
                    f"{json.dumps(c.value.value)}{flags}), false)")
        if kind in COMPARISON:
            assert c.value is not None
            return f"COALESCE({v} {COMPARISON[kind]} {term(c.value)}, false)"
        if kind in ("minLength", "maxLength"):
            op = ">=" if kind == "minLength" else "<="
            return f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {_int(c)}, false)"
        if kind == "nodeKind":
            node_kind = NODE_KINDS.get(self._iri(c).value.removeprefix(SH))
            if node_kind is None:
                raise UnsupportedShape(f"sh:nodeKind {c.value}")
            return node_kind.format(v=v)
        if kind == "and":
            return "(" + " && ".join(self.conforms(s, v) for s in c.shapes) + ")"
        if kind == "xone":
            ones = " + ".join(f"IF({self.conforms(s, v)}, 1, 0)" for s in c.shapes)
            return f"(({ones}) = 1)"
        if kind == "in":
            return "(" + (" || ".join(f"sameTerm({v}, {term(t)})" for t in c.terms)
                          or "false") + ")"
        if kind == "hasValue":
            assert c.value is not None
            return f"sameTerm({v}, {term(c.value)})"
        if kind == "node":
            return self.conforms(c.shapes[0], v)
        if kind == "not":
            return f"!({self.conforms(c.shapes[0], v)})"
        if kind == "or":
            return "(" + " || ".join(self.conforms(s, v) for s in c.shapes) + ")"
        raise UnsupportedShape(f"sh:{kind} cannot apply to a single node")

    def _iri(self, c: Constraint) -> ox.NamedNode:
        if not isinstance(c.value, ox.NamedNode):
            raise UnsupportedShape(f"sh:{c.kind} needs an IRI, not {c.value}")
        return c.value

    # -- a whole shape as a boolean on node ``x``
    def conforms(self, shape: Shape, x: str) -> str:
        if shape.path is not None:
            return self.property_ok(shape, x)
        parts = [self.value_ok(c, x) for c in shape.constraints]
        parts += [self.property_ok(p, x) for p in shape.properties]
        return "(" + (" && ".join(parts) or "true") + ")"

    def property_ok(self, p: Shape, x: str) -> str:
        assert p.path is not None
        path = term(p.path)
        parts = []
        for c in p.constraints:
            if c.kind == "minCount":
                parts.append(self._at_least(x, path, _int(c)))
            elif c.kind == "maxCount":
                parts.append("!" + self._at_least(x, path, _int(c) + 1))
            elif c.kind == "hasValue":
                assert c.value is not None
                parts.append(f"EXISTS {{ {x} {path} {term(c.value)} }}")
            else:
                v = self.var()
                parts.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!{self.value_ok(c, v)}) }}")
        for q in p.properties:
            v = self.var()
            parts.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!{self.property_ok(q, v)}) }}")
        return "(" + (" && ".join(parts) or "true") + ")"

    def _at_least(self, x: str, path: str, n: int) -> str:
        if n <= 0:
            return "true"
        vs = [self.var() for _ in range(n)]
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2))
        pattern = " . ".join(f"{x} {path} {v}" for v in vs)
        return f"EXISTS {{ {pattern} {f'FILTER({distinct})' if distinct else ''} }}"

    # -- top-level queries
    def targets(self, shape: Shape) -> str:
        """A pattern binding ``?f`` to each focus node of ``shape`` (once)."""
        classes = " ".join(f"<{t.value}>" for t in shape.targets)
        by_class = (f"VALUES ?_target {{ {classes} }} ?_class <{RDFS}subClassOf>* ?_target . "
                    f"?f <{RDF}type> ?_class .")
        if not (shape.target_nodes or shape.subjects_of or shape.objects_of):
            return by_class
        parts = [by_class] if shape.targets else []
        if shape.target_nodes:
            parts.append(f"VALUES ?f {{ {' '.join(term(t) for t in shape.target_nodes)} }}")
        parts += [f"?f {term(p)} ?_o ." for p in shape.subjects_of]
        parts += [f"?_s {term(p)} ?f ." for p in shape.objects_of]
        union = " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ SELECT DISTINCT ?f WHERE {{ {union} }} }}"

    def checks(self, shape: Shape) -> Iterator[Check]:
        focus = self.targets(shape)
        for c in shape.constraints:
            if c.kind in ("minCount", "maxCount"):
                raise UnsupportedShape(f"shape {shape.label}: sh:{c.kind} on a node shape")
            yield Check(shape, shape, c, None,
                        f"SELECT DISTINCT ?f WHERE {{ {focus} "
                        f"FILTER(!{self.value_ok(c, '?f')}) }}", has_value=True)
        for p in shape.properties:
            yield from self.property_checks(shape, p, focus)

    def property_checks(self, shape: Shape, p: Shape, focus: str) -> Iterator[Check]:
        if p.path is None:
            raise UnsupportedShape(f"shape {p.label}: sh:property without sh:path")
        if p.properties:
            raise UnsupportedShape(f"shape {p.label}: sh:property inside a property shape")
        path = term(p.path)
        for c in p.constraints:
            if c.kind == "minCount":
                n = _int(c)
                sparql = (f"SELECT ?f WHERE {{ {{ SELECT DISTINCT ?f WHERE {{ {focus} }} }} "
                          f"OPTIONAL {{ ?f {path} ?v }} }} GROUP BY ?f "
                          f"HAVING (COUNT(DISTINCT ?v) < {n})")
                if n == 1:
                    sparql = (f"SELECT DISTINCT ?f WHERE {{ {focus} "
                              f"FILTER NOT EXISTS {{ ?f {path} ?v }} }}")
                yield Check(shape, p, c, p.path, sparql, has_value=False)
            elif c.kind == "maxCount":
                sparql = (f"SELECT ?f WHERE {{ {{ SELECT DISTINCT ?f WHERE {{ {focus} }} }} "
                          f"?f {path} ?v }} GROUP BY ?f HAVING (COUNT(DISTINCT ?v) > {_int(c)})")
                if _int(c) == 1:  # the common case, a join instead of an aggregate
                    sparql = (f"SELECT DISTINCT ?f WHERE {{ {focus} ?f {path} ?v . "
                              f"?f {path} ?w FILTER(!sameTerm(?v, ?w)) }}")
                yield Check(shape, p, c, p.path, sparql, has_value=False)
            elif c.kind == "hasValue":
                assert c.value is not None
                yield Check(shape, p, c, p.path,
                            f"SELECT DISTINCT ?f WHERE {{ {focus} "
                            f"FILTER NOT EXISTS {{ ?f {path} {term(c.value)} }} }}",
                            has_value=False)
            elif c.kind in VALUE_KINDS:
                yield Check(shape, p, c, p.path,
                            f"SELECT DISTINCT ?f ?v WHERE {{ {focus} ?f {path} ?v "
                            f"FILTER(!{self.value_ok(c, '?v')}) }}", has_value=True)
            else:  # pragma: no cover - model.py refuses unknown kinds first
                raise UnsupportedShape(f"shape {p.label}: sh:{c.kind}")


def _int(c: Constraint) -> int:
    if not isinstance(c.value, ox.Literal) or c.value.datatype.value != XSD + "integer":
        raise UnsupportedShape(f"sh:{c.kind} needs an xsd:integer, not {c.value}")
    return int(c.value.value)


def compile_shapes(shapes: list[Shape]) -> list[Check]:
    """One :class:`Check` per constraint of every targeted shape (and of its properties)."""
    compiler = _Compiler()
    return [check for shape in shapes for check in compiler.checks(shape)]
