"""Running SPARQL for humans: results as rows of text, tables, and the W3C formats."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pyoxigraph as ox

from graph.formats import RESULTS
from graph.namespaces import ONTOLOGY_GRAPH, PREFIXES, RDFS, sparql_prologue
from graph.store import QueryResult, Store

#: SPARQL results formats by name (``json``, ``xml``, ``csv``, ``tsv``), from the registry.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    f.name: f.results for f in RESULTS if f.results is not None}


def with_prefixes(sparql: str) -> str:
    """Prepend survkg's PREFIX declarations (a query may redeclare any of them)."""
    return sparql_prologue() + sparql


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A compact human form of a term: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def select_rows(store: Store, sparql: str) -> tuple[list[str], list[list[str]]]:
    """Run a SELECT and return its variables and rows as text (for tables and tests)."""
    result = store.query(with_prefixes(sparql))
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("select_rows needs a SELECT query")
    return solution_rows(result)


def value_rows(store: Store, sparql: str) -> list[dict[str, str]]:
    """A SELECT's solutions as {variable: lexical value}, unbound variables left out (for
    code that reads values, where ``select_rows`` gives display text)."""
    result = store.query(with_prefixes(sparql))
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("value_rows needs a SELECT query")
    names = [v.value for v in result.variables]
    return [{n: term.value for n in names if (term := sol[n]) is not None} for sol in result]


def subclasses_of(store: Store, cls: str) -> frozenset[str]:
    """``cls`` and its subclasses (rdfs:subClassOf*), read from the bundled ontology's
    graph only: a class hierarchy asserted anywhere else never changes what counts as a
    claim, an organisation or a risk target (docs/security.md)."""
    result = store.query(f"SELECT ?t WHERE {{ ?t <{RDFS}subClassOf>* <{cls}> }}",
                         default_graph=[ONTOLOGY_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    return frozenset({cls} | {sol["t"].value for sol in result
                              if isinstance(sol["t"], ox.NamedNode)})


def solution_rows(result: ox.QuerySolutions) -> tuple[list[str], list[list[str]]]:
    """The variables and rows of a SELECT result, as text."""
    names = [v.value for v in result.variables]
    return names, [[term_text(sol[n]) for n in names] for sol in result]


def render_table(names: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 60) -> str:
    """A plain-text table; cells longer than ``max_width`` are cut with an ellipsis."""
    cut = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cut]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cut]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """Serialise a result: SELECT/ASK in a W3C results format, graphs in N-Triples/Turtle."""
    if isinstance(result, ox.QueryTriples):
        buf = io.BytesIO()
        rdf = ox.RdfFormat.TURTLE if fmt in {"table", "turtle"} else ox.RdfFormat.N_TRIPLES
        result.serialize(buf, rdf)
        return buf.getvalue()
    out = result.serialize(format=RESULT_FORMATS[fmt])
    assert out is not None
    return out
