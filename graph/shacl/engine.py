"""Run the compiled shapes over quads, with the store as context, inside pyoxigraph.

The data goes into a scratch in-memory store beside only the context it needs: the
bundled ontology (class hierarchy, technologies, levels, statuses) and the ``rdf:type``
of every resource the data refers to but does not describe, looked up in the store. The
store itself is never copied, so validating a file against a store of any size costs
the file's size plus its references. Results on borrowed resources are dropped: only
their types are here, and they were validated when they were loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.bundled import SHAPES, ontology_files
from graph.namespaces import RDF_TYPE
from graph.shacl.compile import COMPONENT, Check, compile_shapes
from graph.shacl.model import read_shapes
from graph.shacl.report import Result, node_text

if TYPE_CHECKING:
    from graph.store import Store

_UNDESCRIBED = f"""SELECT DISTINCT ?o WHERE {{
  ?s ?p ?o FILTER(isIRI(?o) && ?p != <{RDF_TYPE.value}>)
  FILTER NOT EXISTS {{ ?o ?q ?x }} }}"""


@lru_cache(maxsize=4)
def checks(shapes: Path = SHAPES) -> tuple[Check, ...]:
    """The compiled queries of ``shapes`` (raises ``UnsupportedShape`` on what the compiler
    cannot check: never a silent skip)."""
    return tuple(compile_shapes(read_shapes(shapes)))


@lru_cache(maxsize=1)
def _ontology() -> tuple[ox.Quad, ...]:
    return tuple(ox.Quad(q.subject, q.predicate, q.object)
                 for p in ontology_files()
                 for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))


def scratch(quads: Sequence[ox.Quad], context: Store | None) -> tuple[ox.Store, set[str]]:
    """An in-memory store with ``quads``, the ontology and the types of what they borrow
    from ``context``; and the borrowed resources' node texts."""
    data = ox.Store()
    data.bulk_extend(quads)
    rows = data.query(_UNDESCRIBED, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    undescribed = [row["o"] for row in rows]
    data.bulk_extend(_ontology())
    ontology_typed = {q.subject for q in _ontology() if q.predicate == RDF_TYPE}
    borrowed: set[str] = set()
    types: list[ox.Quad] = []
    for node in undescribed:
        assert isinstance(node, ox.NamedNode)
        found = node in ontology_typed
        if context is not None:
            for tq in context.quads(node, RDF_TYPE, None, None):
                types.append(ox.Quad(node, RDF_TYPE, tq.object))
                found = True
        if found:
            borrowed.add(node_text(node))
    data.bulk_extend(types)
    return data, borrowed


def run(data: ox.Store, checks: Sequence[Check]) -> list[Result]:
    """Every violation the compiled ``checks`` find in ``data`` (union of its graphs)."""
    out: list[Result] = []
    for check in checks:
        rows = data.query(check.sparql, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            focus = row["f"]
            assert isinstance(focus, ox.NamedNode | ox.BlankNode | ox.Literal)
            # A property shape's value is the value node; a node shape's, the focus itself.
            value = None if not check.has_value else (
                row["v"] if check.path is not None else focus)
            out.append(Result(
                focus=node_text(focus),
                path=f"<{check.path.value}>" if check.path is not None else None,
                component=COMPONENT[check.constraint.kind],
                value=value.value if isinstance(value, ox.NamedNode | ox.BlankNode
                                                | ox.Literal) else None,
                message=check.source.message or _generic(check),
                severity=check.source.severity))
    return out


def validate(quads: Sequence[ox.Quad], context: Store | None = None,
             shapes: Path = SHAPES) -> list[Result]:
    """The violations of ``quads`` (with ``context`` for what they reference), sorted."""
    data, borrowed = scratch(quads, context)
    return sorted((r for r in run(data, checks(shapes)) if r.focus not in borrowed),
                  key=Result.sort_key)


def _generic(check: Check) -> str:
    """A message for a shape that has none (pySHACL's wording, without its node dumps)."""
    c = check.constraint
    value = c.value.value if c.value is not None else ""
    return {
        "minCount": f"Less than {value} values",
        "maxCount": f"More than {value} values",
        "class": f"Value does not have class <{value}>",
        "datatype": f"Value is not Literal with datatype <{value}>",
        "hasValue": f"Missing expected value {value}",
        "pattern": f"Value does not match pattern {value!r}",
        "minInclusive": f"Value is not >= {value}",
        "maxInclusive": f"Value is not <= {value}",
        "minExclusive": f"Value is not > {value}",
        "maxExclusive": f"Value is not < {value}",
        "minLength": f"String length is less than {value}",
        "maxLength": f"String length is more than {value}",
        "nodeKind": f"Value is not of node kind {value}",
        "and": "Node must conform to all shapes in an sh:and",
        "xone": "Node must conform to exactly one shape in an sh:xone",
        "in": "Value is not in the allowed list",
        "node": "Value does not conform to its shape",
        "not": "Node must not conform to a shape",
        "or": "Node must conform to one or more shapes in an sh:or",
    }[c.kind]
