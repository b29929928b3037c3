"""The shapes of ``ontology/shapes.ttl`` read into a small typed model, refusing loudly
what the compiler cannot check.

Why a model of our own instead of reading the shapes graph while compiling: the SHACL
vocabulary is large and the compiler handles a subset of it. Reading every shape once,
and raising :class:`UnsupportedShape` on any ``sh:`` term outside that subset (a new
constraint kind in a future shape, a path expression, a SPARQL constraint), means a
shape can never be skipped silently: it is checked, or validation refuses to start and
says which shape and which term (``SURVKG_VALIDATOR=pyshacl`` runs pySHACL instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import RDF, SH

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal

#: The SHACL terms the compiler implements: constraint parameters, then what a shape may
#: say besides its constraints. Anything else in the ``sh:`` namespace is refused.
#: One-term parameters (the value is a term) and shape-taking ones.
TERM_CONSTRAINTS = ("minCount", "maxCount", "class", "datatype", "hasValue", "pattern",
                    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
                    "minLength", "maxLength", "nodeKind")
SHAPE_CONSTRAINTS = ("node", "not")
LIST_CONSTRAINTS = ("or", "and", "xone")
CONSTRAINTS = TERM_CONSTRAINTS + SHAPE_CONSTRAINTS + LIST_CONSTRAINTS + ("in",)
TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
DESCRIPTION = frozenset({*TARGETS, "property", "path", "message", "severity", "flags",
                         "name", "description", "order", "group"})
KNOWN = frozenset(CONSTRAINTS) | DESCRIPTION


class UnsupportedShape(ValueError):
    """A shape uses SHACL the compiled validator does not implement."""


@dataclass(frozen=True)
class Constraint:
    """One constraint component of a shape: ``kind`` is the parameter's local name."""

    kind: str
    value: Term | None = None
    shapes: tuple[Shape, ...] = ()
    terms: tuple[Term, ...] = ()
    flags: str = ""


@dataclass(frozen=True)
class Shape:
    """A node shape (``path`` None) or a property shape (``path`` a predicate IRI)."""

    node: Node
    path: ox.NamedNode | None
    targets: tuple[ox.NamedNode, ...]  # sh:targetClass
    message: str | None
    severity: str
    constraints: tuple[Constraint, ...]
    properties: tuple[Shape, ...]
    target_nodes: tuple[Term, ...] = ()
    subjects_of: tuple[ox.NamedNode, ...] = ()
    objects_of: tuple[ox.NamedNode, ...] = ()

    @property
    def targeted(self) -> bool:
        return bool(self.targets or self.target_nodes or self.subjects_of or self.objects_of)

    @property
    def label(self) -> str:
        return self.node.value if isinstance(self.node, ox.NamedNode) else f"_:{self.node.value}"


class _Reader:
    def __init__(self, quads: list[ox.Quad]) -> None:
        self.out: dict[Node, dict[str, list[Term]]] = {}
        for q in quads:
            if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
                raise UnsupportedShape("RDF-star terms in the shapes")
            self.out.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(
                q.object)
        self.done: dict[Node, Shape] = {}
        self.busy: set[Node] = set()

    def objects(self, node: Node, pred: str) -> list[Term]:
        return self.out.get(node, {}).get(pred, [])

    def items(self, head: Term, where: str) -> tuple[Term, ...]:
        out: list[Term] = []
        nil = ox.NamedNode(RDF + "nil")
        seen: set[Term] = set()
        while head != nil:
            if not isinstance(head, ox.NamedNode | ox.BlankNode) or head in seen:
                raise UnsupportedShape(f"{where}: not a well-formed RDF list")
            seen.add(head)
            first, rest = self.objects(head, RDF + "first"), self.objects(head, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise UnsupportedShape(f"{where}: not a well-formed RDF list")
            out.append(first[0])
            head = rest[0]
        return tuple(out)

    def shape(self, node: Term) -> Shape:
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            raise UnsupportedShape(f"{node} is not a shape")
        if node in self.done:
            return self.done[node]
        if node in self.busy:
            raise UnsupportedShape(f"{node}: recursive shapes are not supported")
        self.busy.add(node)
        where = node.value
        props = self.out.get(node, {})
        for pred in props:
            if not pred.startswith(SH):
                continue  # documentation (rdfs:comment, ...): constrains nothing
            if pred[len(SH):] not in KNOWN:
                raise UnsupportedShape(f"shape {where}: {pred} is not supported by the "
                                       "compiled validator (use SURVKG_VALIDATOR=pyshacl)")
        path = self._one(node, "path")
        if path is not None and not isinstance(path, ox.NamedNode):
            raise UnsupportedShape(f"shape {where}: only predicate paths are supported, "
                                   f"not {path}")
        constraints: list[Constraint] = []
        for kind in TERM_CONSTRAINTS:
            for value in self.objects(node, SH + kind):
                flags = self._one(node, "flags") if kind == "pattern" else None
                constraints.append(Constraint(kind, value=value,
                                              flags=flags.value if flags else ""))
        for kind in SHAPE_CONSTRAINTS:
            for value in self.objects(node, SH + kind):
                constraints.append(Constraint(kind, shapes=(self.shape(value),)))
        for kind in LIST_CONSTRAINTS:
            for value in self.objects(node, SH + kind):
                members = self.items(value, f"shape {where}: sh:{kind}")
                constraints.append(Constraint(kind,
                                              shapes=tuple(self.shape(m) for m in members)))
        for value in self.objects(node, SH + "in"):
            constraints.append(Constraint("in", terms=self.items(value, f"shape {where}: sh:in")))
        message = self._one(node, "message")
        severity = self._one(node, "severity")
        iris = {k: tuple(t for t in self.objects(node, SH + k) if isinstance(t, ox.NamedNode))
                for k in ("targetClass", "targetSubjectsOf", "targetObjectsOf")}
        shape = Shape(
            node=node, path=path, targets=iris["targetClass"],
            target_nodes=tuple(self.objects(node, SH + "targetNode")),
            subjects_of=iris["targetSubjectsOf"], objects_of=iris["targetObjectsOf"],
            message=message.value if isinstance(message, ox.Literal) else None,
            severity=(severity.value.rsplit("#", 1)[-1] if severity is not None
                      else "Violation"),
            constraints=tuple(constraints),
            properties=tuple(self.shape(p) for p in self.objects(node, SH + "property")))
        self.busy.discard(node)
        self.done[node] = shape
        return shape

    def _one(self, node: Node, local: str) -> Term | None:
        values = self.objects(node, SH + local)
        if len(values) > 1:
            raise UnsupportedShape(f"shape {node}: more than one sh:{local}")
        return values[0] if values else None


def read_shapes(path: Path) -> list[Shape]:
    """Every shape with a target in the shapes file at ``path`` (the others are reached
    through them), or :class:`UnsupportedShape`. Shapes without targets are read too, so a
    stray unsupported term anywhere in the file is refused."""
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    reader = _Reader(quads)
    shape_types = {SH + "NodeShape", SH + "PropertyShape"}
    read = [reader.shape(s) for s in list(reader.out)
            if any(t.value in shape_types for t in reader.objects(s, RDF + "type"))
            or any(reader.objects(s, SH + t) for t in TARGETS)
            or reader.objects(s, SH + "path")]
    return [s for s in read if s.targeted]
