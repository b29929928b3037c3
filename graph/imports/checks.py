"""Checks on parsed quads that the parsers do not make: what may be stored as evidence.

The parsers guarantee syntactically valid IRIs; survkg additionally refuses IRIs whose
scheme a browser would execute or fetch from the local machine (``javascript:``,
``data:``, ``file:``), text that is not well-formed Unicode (lone surrogates arrive
through ``\\uD800`` escapes), and markup in text (labels are rendered in pages and
exported to other tools: a ``<script>`` in a label is an attack, not a finding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from graph.imports.screen import location
from graph.interchange.model import Problem

ALLOWED_SCHEMES = frozenset({"http", "https", "urn", "mailto", "tag"})
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>|javascript\s*:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LISTED = 100


def check_quads(quads: Iterable[ox.Quad], *, text: str | None, name: str) -> list[Problem]:
    """Every problem with the terms of ``quads`` (at most :data:`MAX_LISTED`), located in
    ``text`` (the raw input) where the offending value can be found in it."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            message = _term_problem(term)
            if message is None:
                continue
            value = str(term.value) if isinstance(term, ox.NamedNode | ox.Literal) else ""
            if value in seen:
                continue
            seen.add(value)
            problems.append(located(message, value, text, name))
            if len(problems) >= MAX_LISTED:
                return problems
    return problems


def _term_problem(term: object) -> str | None:
    if isinstance(term, ox.Triple):
        return "quoted triples (RDF-star) are not supported in imports"
    if isinstance(term, ox.NamedNode):
        scheme = term.value.split(":", 1)[0].lower()
        if scheme not in ALLOWED_SCHEMES:
            return (f"IRI scheme {scheme!r} is refused (allowed: "
                    + ", ".join(sorted(ALLOWED_SCHEMES)) + f"): <{term.value[:80]}>")
        return None
    if isinstance(term, ox.Literal):
        value = term.value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text contains a lone surrogate (broken Unicode)"
        if _CONTROL.search(value):
            return "text contains a control character"
        if (m := _MARKUP.search(value)) is not None:
            return f"markup in text is refused ({m.group()[:40]!r}); store plain text"
    return None


def located(message: str, value: str, text: str | None, name: str) -> Problem:
    """``message`` at the first place ``value`` (or its last IRI segment) is in ``text``."""
    if text and value:
        probe = value[:60]
        pos = text.find(probe)
        if pos < 0 and "#" in probe:
            pos = text.find(probe.rsplit("#", 1)[1])
        if pos < 0 and "/" in probe:
            pos = text.find(probe.rsplit("/", 1)[1])
        if pos >= 0:
            line, column = location(text, pos)
            return Problem(message, file=name, line=line, column=column)
    return Problem(message, file=name)
