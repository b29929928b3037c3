"""The authoritative check of a query or update: decided on its parse tree, not its words.

``api.sparql.inspect`` looks at tokens, cheaply, as a first filter; but a tokeniser
that differs from the engine's by one character (``true.SERVICE`` read as one word) is a
bypass. So before the engine sees a text, a real SPARQL 1.1 parser (rdflib's, which
applies the grammar's ``\\u`` escapes first, as the engine does) builds the tree, and
the whole tree is walked: a SERVICE or LOAD anywhere (subqueries, EXISTS, OPTIONAL,
UNION, an update's WHERE) is refused, and every graph a dataset clause names (FROM, FROM
NAMED, USING, USING NAMED, WITH), once resolved against BASE and PREFIX, must be a local
graph. A text the parser cannot read is refused too: the check fails closed.

pyoxigraph 0.5 offers no way to run a query without its HTTP SERVICE client, so this
check (with worker network isolation where the system allows it) is what keeps queries
off the network. It runs inside the query worker, under the same time limit as the
query, because parsing a long hostile text costs seconds (bench/results/parse_check.md).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from api.sparql.inspect import LOAD_REFUSED, NO_FETCH, SERVICE_REFUSED
from graph.errors import QueryError, QueryRefused
from graph.namespaces import PREFIXES

#: rdflib's parser recurses once per grammar level; the depth limit of ``inspect`` keeps
#: nesting low, and this leaves room for long flat texts (measured in the benchmark).
RECURSION_LIMIT = 50_000
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}


class ParsedSyntaxError(QueryError):
    """The checker's parser could not read the text (refused: the check fails closed)."""


@dataclass(frozen=True)
class Checked:
    """What the parse tree says about an accepted text."""

    form: str | None = None
    #: Graph IRIs named by dataset clauses (FROM, FROM NAMED, USING, USING NAMED, WITH).
    dataset: tuple[str, ...] = ()
    #: A query with FROM / FROM NAMED: it picks its own dataset.
    has_from: bool = False


def _walk(node: Any) -> Iterator[CompValue]:
    """Every CompValue in the tree, depth first, without recursion (trees can be deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


class _Prologue:
    """BASE and PREFIX declarations in order, resolved as the engine resolves them."""

    def __init__(self, base: str | None, prefixes: Mapping[str, str]) -> None:
        self.base = base
        self.prefixes = dict(prefixes)

    def read(self, decls: Any) -> None:
        for decl in _flat(decls):
            if decl.name == "Base":
                self.base = self.iri(decl.iri)
            elif decl.name == "PrefixDecl":
                self.prefixes[str(decl.prefix or "")] = self.iri(decl.iri)

    def iri(self, term: Any) -> str:
        if isinstance(term, CompValue) and term.name == "pname":
            prefix = str(term.prefix or "")
            if prefix not in self.prefixes:
                raise QueryRefused(f"undeclared prefix {prefix!r}:")
            return self.prefixes[prefix] + str(term.localname or "")
        if isinstance(term, URIRef | str):
            return urljoin(self.base, str(term)) if self.base else str(term)
        raise QueryRefused(f"cannot tell which graph {term!r} names")


def _field(node: CompValue, key: str) -> Any:
    """A raw field of a parse node, or None (``CompValue.get`` returns the key instead)."""
    return dict.get(node, key)


def _flat(decls: Any) -> Iterator[CompValue]:
    for item in decls or []:
        if isinstance(item, CompValue):
            yield item
        elif isinstance(item, ParseResults | list):
            yield from _flat(item)


def _parse(parser: Callable[[str], Any], text: str) -> Any:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, RECURSION_LIMIT))
    try:
        return parser(text)
    except ParseException as exc:
        raise ParsedSyntaxError(f"{exc.msg} at line {exc.lineno}, column {exc.col}") from None
    except RecursionError:
        raise QueryRefused("the query is too deeply structured for the query checker") \
            from None
    finally:
        sys.setrecursionlimit(old)


def _refuse_remote(tree: Any) -> None:
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(SERVICE_REFUSED)
        if node.name == "Load":
            raise QueryRefused(LOAD_REFUSED)


def _dataset(node: CompValue, prologue: _Prologue) -> list[str]:
    if node.name in ("DatasetClause", "UsingClause"):
        return [prologue.iri(_field(node, k)) for k in ("default", "named")
                if _field(node, k) is not None]
    if node.name == "Modify" and _field(node, "withClause") is not None:
        return [prologue.iri(_field(node, "withClause"))]
    return []


def check_local(iris: Sequence[str], local: Callable[[], set[str]]) -> None:
    """Refuse a dataset clause naming a file or any graph that is not in the store."""
    known: set[str] | None = None
    for iri in iris:
        if iri.lower().startswith("file:"):
            raise QueryRefused(f"<{iri}>: file IRIs are refused; " + NO_FETCH)
        known = local() if known is None else known
        if iri not in known:
            raise QueryRefused(f"<{iri}> names no graph of this store; " + NO_FETCH)


@functools.lru_cache(maxsize=512)
def _parse_query(text: str, base: str | None) -> Checked:
    """The parse-tree facts of a query (cached: parsing a typical query costs ~30 ms)."""
    tree = _parse(parseQuery, text)
    _refuse_remote(tree)
    prologue = _Prologue(base, PREFIXES)
    prologue.read(tree[0])
    dataset: list[str] = []
    for node in _walk(tree[1]):
        dataset += _dataset(node, prologue)
    # Only the top-level query names the dataset; a subquery cannot (the grammar).
    return Checked(form=_FORMS.get(getattr(tree[1], "name", "")),
                   dataset=tuple(dataset), has_from=bool(_field(tree[1], "datasetClause")))


def check_query(text: str, *, base: str | None, local: Callable[[], set[str]]) -> Checked:
    """Parse a query and refuse what may reach outside the store (raises QueryRefused)."""
    found = _parse_query(text, base)
    check_local(found.dataset, local)
    return found


def check_update(text: str, *, base: str | None) -> Checked:
    """Parse an update and refuse SERVICE and LOAD anywhere, and file IRIs in its dataset.

    USING / WITH may name a graph not yet in the store (an update creates graphs), so
    only files are refused there; nothing in an update is ever fetched.
    """
    tree = _parse(parseUpdate, text)
    _refuse_remote(tree)
    dataset: list[str] = []
    prologue = _Prologue(base, PREFIXES)
    prologues = list(_field(tree, "prologue") or [])
    for i, op in enumerate(_field(tree, "request") or []):
        if i < len(prologues):
            prologue.read(prologues[i])
        for node in _walk(op):
            dataset += _dataset(node, prologue)
    for iri in dataset:
        if iri.lower().startswith("file:"):
            raise QueryRefused(f"<{iri}>: file IRIs are refused; " + NO_FETCH)
    return Checked(dataset=tuple(dataset))
