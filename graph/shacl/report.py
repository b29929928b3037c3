"""One validation result, whichever validator found it, and its one-line rendering.

Both validators (the compiled one and pySHACL, the reference) report through
:class:`Result`, so the differential test compares like with like and the import
pipeline locates a violation the same way whichever ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.namespaces import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Result:
    """A SHACL validation result: what failed (``focus``, ``path``, ``value``), which
    constraint (``component``, a ``sh:...ConstraintComponent`` IRI) and what it means."""

    focus: str
    path: str | None
    component: str
    value: str | None
    message: str
    severity: str = "Violation"

    def key(self) -> tuple[str, str | None, str]:
        """What the differential test compares: focus, path, constraint component."""
        return (self.focus, self.path, self.component)

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.focus, self.path or "", self.component, self.value or "", self.message)

    def line(self) -> str:
        """``Violation: <focus> skg:path: message (value: v)``; the import pipeline reads
        the focus and the path back from this form to locate the violation in the file."""
        where = self.focus + (f" {_short(self.path)}" if self.path else "")
        text = f"{self.severity}: {where}: {self.message}"
        return text + (f" (value: {self.value})" if self.value is not None else "")


def node_text(node: Term) -> str:
    """A focus node as a result names it: ``<iri>``, a blank node's id, or a literal."""
    if isinstance(node, ox.NamedNode):
        return f"<{node.value}>"
    return node.value


def _short(path: str) -> str:
    iri = path.strip("<>")
    for prefix, ns in PREFIXES.items():
        local = iri[len(ns):]
        if iri.startswith(ns) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return path
