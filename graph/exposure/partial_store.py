"""A partial, in-memory copy of a remote store: what one exposure question needs.

The frontier expansion (:mod:`graph.exposure.frontier`) fetches pieces of a remote SPARQL
store into a :class:`PartialStore`, then builds the ordinary projection over it with
:func:`graph.projection.build_projection`, so the same readers and the same engine
compute the result. Two kinds of read must be told apart:

* **predicate scans** (``quads(predicate=p)``: how the projection reads hops and claims)
  answer from what was fetched: that *is* the partial projection, and the expansion
  fetches every claim a search bounded by max_hops can touch;
* **lookups by subject** (labels, types, evidence, products, ...) must be complete, so
  each subject is either *described* (every quad about it fetched) or recorded as a
  miss. :func:`settle` reruns a computation until it meets no miss, fetching the misses
  of each round in batched requests (``VALUES`` over up to :data:`BATCH` subjects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar, cast

import pyoxigraph as ox

from graph.errors import SurvkgError
from graph.projection import Projection, build_projection
from graph.remote_store import META_GRAPH, SparqlHttpStore
from graph.store import GraphName, Store

#: Frontier nodes or subjects per request (one ``VALUES`` block).
BATCH = 1000
#: Rounds of "fetch what the last run missed" before the rest is read one subject a time.
MAX_ROUNDS = 6
T = TypeVar("T")


class PartialStore:
    """Quads fetched from ``remote``, with which subjects are complete (see module doc).

    Implements the reading half of :class:`graph.store.Store`; writes are refused.
    """

    def __init__(self, remote: SparqlHttpStore, batch: int = BATCH) -> None:
        self.remote = remote
        self.location = remote.location
        self.batch = batch
        self._local = ox.Store()
        self.described: set[str] = set()
        #: Subjects of which only some properties were fetched (all of their values).
        self.partly: dict[str, set[str]] = {}
        self.full_predicates: set[str] = set()
        self.misses: set[str] = set()
        self.on_demand = False

    @property
    def version(self) -> int:
        return 0

    def __len__(self) -> int:
        return len(self._local)

    # -- reading -------------------------------------------------------------------------

    def quads(self, subject: ox.NamedNode | ox.BlankNode | None = None,
              predicate: ox.NamedNode | None = None,
              obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
              graph: GraphName | None = None) -> Iterator[ox.Quad]:
        if isinstance(subject, ox.NamedNode) and subject.value not in self.described and (
                predicate is None or (predicate.value not in self.full_predicates and
                                      predicate.value not in self.partly.get(subject.value,
                                                                             ()))):
            if self.on_demand:
                self.describe([subject.value])
            else:
                self.misses.add(subject.value)
        elif subject is None and obj is not None and (
                predicate is None or predicate.value not in self.full_predicates):
            # A lookup by object: not made by the exposure code today; read it whole.
            self._local.extend(self.remote.quads(None, predicate, obj, graph))
        return iter(self._local.quads_for_pattern(subject, predicate, obj, graph))

    # -- fetching ------------------------------------------------------------------------

    def _add(self, sparql: str) -> None:
        """Run a ``SELECT ?s ?p ?o ?g`` over the server's own dataset; keep the quads."""
        rows = self.remote.query(sparql, default_graph=[], named_graphs=[])
        quads = []
        for row in cast(ox.QuerySolutions, rows):
            s, p, o, g = row["s"], row["p"], row["o"], row["g"]
            if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) \
                    and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal) \
                    and isinstance(g, ox.NamedNode | ox.BlankNode):
                quads.append(ox.Quad(s, p, o, g))
        self._local.extend(quads)

    def describe_where(self, pattern: str, var: str | None = None,
                       values: Iterable[str] = ()) -> set[str]:
        """:meth:`describe` every ``?s`` :meth:`find` gives; returns them."""
        found = self.find(pattern, var, values)
        self.describe(found)
        return found

    def describe(self, subjects: Iterable[str],
                 predicates: Iterable[ox.NamedNode] | None = None) -> set[str]:
        """Fetch every quad of each of ``subjects`` not yet described (one request per
        :attr:`batch` subjects); returns those newly described. With ``predicates``,
        only those properties, and the subjects are not marked described."""
        only = "" if predicates is None else \
            "&& ?p IN (" + ", ".join(str(p) for p in predicates) + ")"
        todo = sorted({s for s in subjects if s not in self.described})
        for i in range(0, len(todo), self.batch):
            chunk = " ".join(f"<{v}>" for v in todo[i:i + self.batch])
            self._add(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {chunk} }} "
                      f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {META_GRAPH} {only}) }}")
        if predicates is None:
            self.described.update(todo)
        else:
            names = {p.value for p in predicates}
            for subject in todo:
                self.partly.setdefault(subject, set()).update(names)
        return set(todo)

    def find(self, pattern: str, var: str | None = None, values: Iterable[str] = ()
             ) -> set[str]:
        """Every IRI ``?s`` that ``pattern`` binds, with ``?var`` taking each of ``values``
        (one request per :attr:`batch` values; one request in all without ``var``)."""
        todo = sorted(set(values))
        chunks = ([" ".join(f"<{v}>" for v in todo[i:i + self.batch])
                   for i in range(0, len(todo), self.batch)] if var else [""])
        found: set[str] = set()
        for chunk in chunks:
            head = f"VALUES ?{var} {{ {chunk} }} " if var else ""
            rows = self.remote.query(f"SELECT DISTINCT ?s WHERE {{ {head}{pattern} "
                                     "FILTER(isIRI(?s)) }", default_graph=[], named_graphs=[])
            found |= {r["s"].value for r in cast(ox.QuerySolutions, rows)
                      if isinstance(r["s"], ox.NamedNode)}
        return found

    def copy(self, other: PartialStore, graph: ox.NamedNode) -> None:
        """The quads of one graph already fetched by ``other`` (no request)."""
        self._local.extend(other._local.quads_for_pattern(None, None, None, graph))

    def fetch_predicates(self, predicates: Iterable[ox.NamedNode]) -> None:
        """Every quad of each predicate (small vocabularies read whole by the projection)."""
        preds = [p for p in predicates if p.value not in self.full_predicates]
        if preds:
            listed = " ".join(str(p) for p in preds)
            self._add(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {listed} }} "
                      f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {META_GRAPH}) }}")
            self.full_predicates |= {p.value for p in preds}

    def fetch_graph(self, graph: ox.NamedNode) -> None:
        """Every quad of one named graph (the ontology: the scoring configuration)."""
        self._add(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} "
                  f"BIND({graph} AS ?g) }}")


def settle(store: PartialStore, compute: Callable[[Projection], T]) -> T:
    """``compute`` over the projection of ``store``, rerun until a run reads no subject
    that was not fetched (each round fetches the last run's misses in batches); after
    :data:`MAX_ROUNDS` rounds the remaining misses are read as they come."""
    for _ in range(MAX_ROUNDS):
        store.misses.clear()
        try:
            result = compute(build_projection(cast(Store, store)))
        except (SurvkgError, KeyError):
            if not store.misses:
                raise
            store.describe(store.misses)
            continue
        if not store.misses:
            return result
        store.describe(store.misses)
    store.on_demand = True
    try:
        return compute(build_projection(cast(Store, store)))
    finally:
        store.on_demand = False
