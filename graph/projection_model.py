"""The projection's data: hops (:class:`Edge`), claim records, indicators and levels, and
the :class:`Projection` that holds them with its lazily read details (labels, types,
evidence, technologies). Built by :func:`graph.projection.build_projection`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox

from graph.lookup.labels import fallback_label, label_of
from graph.namespaces import RDF_TYPE, SKG, skg
from graph.store import Store

if TYPE_CHECKING:
    import networkx as nx

Interval = tuple[date, date]
_PRODUCT = ox.NamedNode(SKG + "product")
_ALTERNATIVE = ox.NamedNode(SKG + "productAlternative")
_TECHNOLOGY = ox.NamedNode(SKG + "technology")
Term = ox.NamedNode | ox.BlankNode | ox.Literal
OPEN: Interval = (date.min, date.max)

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@lru_cache(maxsize=65536)
def parse_interval(text: str) -> Interval | None:
    """The interval an xsd:date, gYearMonth or gYear (or a dateTime) covers."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    if year < 1:
        return None
    try:  # 2014-13 or 2014-02-30 is no date: None, never an exception
        if m.group(3):
            d = date(year, int(m.group(2)), int(m.group(3)))
            return (d, d)
        if m.group(2):
            month = int(m.group(2))
            nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return (date(year, month, 1), date.fromordinal(nxt.toordinal() - 1))
    except ValueError:
        return None
    return (date(year, 1, 1), date(year, 12, 31))


class Edge(NamedTuple):
    """One hop: ``requires`` is the record whose hop must come just before this one."""

    src: str
    dst: str
    rec: str
    role: str
    requires: str | None


@dataclass
class Record:
    """A claim record as the engine needs it (details are read lazily from the store).

    Dates are parsed once, on first use (``start_bound``, ``end_bound``, ``span`` are
    cached); a record is not changed after the projection is built.
    """

    iri: str
    kind: str = "other"
    confidence: str | None = None
    status: str | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    products: tuple[str, ...] = ()
    own_technologies: tuple[str, ...] = ()
    technologies: frozenset[str] = frozenset()
    controlling: bool = True
    #: The kind of link the record is (``supply``, ``market-presence``, ...) and the factor
    #: its kind multiplies into the hop's weight (``skg:relationWeight``; 1 for a supply).
    link_kind: str = "supply"
    link_weight: float = 1.0
    #: Products of which one or more were supplied (``skg:productAlternative``).
    alternatives: tuple[str, ...] = ()

    @cached_property
    def start_bound(self) -> dt.date:
        """Earliest day the claim can have started (date.min when unknown)."""
        iv = parse_interval(self.start or self.date or "")
        return iv[0] if iv else date.min

    @cached_property
    def end_bound(self) -> dt.date:
        """Latest day the claim can have ended (date.max when still holding or unknown)."""
        iv = parse_interval(self.end or "")
        return iv[1] if iv else date.max

    @cached_property
    def span(self) -> Interval:
        """When the claimed event or relation happened, as widely as the dates allow."""
        lo = self.start_bound
        if self.end:
            return (lo, self.end_bound)
        if self.date and not self.start:
            iv = parse_interval(self.date)
            return (lo, iv[1] if iv else date.max)
        return (lo, date.max)


@dataclass(frozen=True)
class Indicator:
    iri: str
    label: str
    severity: float
    propagation: str
    applies_to: frozenset[str]


@dataclass(frozen=True)
class Level:
    iri: str
    label: str
    weight: float
    rank: int


class _LazyMap:
    """A read-only map filled from the store on first lookup of each key (labels, types):
    the projection reads them only for the entities a result names."""

    def __init__(self, store: Store, fetch: Any) -> None:
        self._store = store
        self._fetch = fetch
        self._got: dict[str, Any] = {}

    def _value(self, key: str) -> Any:
        try:
            return self._got[key]
        except KeyError:
            got = self._got[key] = self._fetch(self._store, key)
            return got

    def get(self, key: str, default: Any = None) -> Any:
        got = self._value(key)
        return default if got is None else got

    def __getitem__(self, key: str) -> Any:
        got = self._value(key)
        if got is None:
            raise KeyError(key)
        return got

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._value(key) is not None

    def prime(self, values: dict[str, Any]) -> None:
        self._got.update(values)


def _fetch_types(store: Store, iri: str) -> frozenset[str] | None:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    got = frozenset(q.object.value for q in store.quads(node, RDF_TYPE, None, None)
                    if isinstance(q.object, ox.NamedNode))
    return got or None


@dataclass
class Projection:
    """Everything the exposure functions read. Built by :func:`build_projection`.

    ``labels`` and ``types`` are read from the store lazily, per entity; ``graph`` (a
    NetworkX view of the hops) is built on first use; evidence lists on first use.
    """

    store: Store
    version: int
    out: dict[str, list[Edge]] = field(default_factory=dict)
    inn: dict[str, list[Edge]] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    labels: _LazyMap = field(init=False)
    types: _LazyMap = field(init=False)
    superclasses: dict[str, frozenset[str]] = field(default_factory=dict)
    located_in: dict[str, list[str]] = field(default_factory=dict)
    ownerships: list[tuple[str, str, str]] = field(default_factory=list)
    successions: list[tuple[str, str, str]] = field(default_factory=list)
    participations: list[tuple[str, str, str]] = field(default_factory=list)
    flags: list[tuple[str, str, str]] = field(default_factory=list)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    broader: dict[str, set[str]] = field(default_factory=dict)
    levels: dict[str, Level] = field(default_factory=dict)
    statuses: dict[str, bool] = field(default_factory=dict)
    responses: dict[str, list[str]] = field(default_factory=dict)
    covers: dict[str, set[str]] = field(default_factory=dict)
    entry_kinds: dict[str, str] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)
    _details: dict[str, dict[str, list[Term]]] = field(default_factory=dict)
    _graph: Any = None
    _tech_all: bool = False
    _tech_done: set[str] = field(default_factory=set)
    _tech_lock: threading.Lock = field(default_factory=threading.Lock)
    _weights: dict[str, float] | None = None

    def __post_init__(self) -> None:
        self.labels = _LazyMap(self.store, label_of)
        self.types = _LazyMap(self.store, _fetch_types)

    @property
    def graph(self) -> nx.MultiDiGraph[str]:
        """The hops as a NetworkX multigraph (built on first use)."""
        if self._graph is None:
            import networkx as nx  # here: the engine itself never needs it
            g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
            g.add_nodes_from((n, {"label": self.label(n)}) for n in set(self.out) | set(self.inn))
            bulk: Any = [(e.src, e.dst, (e.rec, e.role),
                          {"rec": e.rec, "role": e.role, "requires": e.requires})
                         for es in self.out.values() for e in es]
            g.add_edges_from(bulk)
            self._graph = g
        graph: nx.MultiDiGraph[str] = self._graph
        return graph

    def supply_record(self, rec: str) -> Record:
        """The record with its products and technologies filled in (read on first use:
        one record's, or every supply's once a technology filter needs them all)."""
        r = self.records[rec]
        if r.kind == "supply" and not self._tech_all and rec not in self._tech_done:
            products = tuple(objects_of(self.store, rec, _PRODUCT))
            alternatives = tuple(objects_of(self.store, rec, _ALTERNATIVE))
            own = tuple(objects_of(self.store, rec, _TECHNOLOGY))
            r.products, r.own_technologies, r.alternatives = products, own, alternatives
            r.technologies = frozenset(own).union(
                *(objects_of(self.store, p, _TECHNOLOGY) for p in products + alternatives))
            self._tech_done.add(rec)
        return r

    def technologies(self, rec: str) -> frozenset[str]:
        return self.supply_record(rec).technologies

    def load_technologies(self) -> None:
        """Products and technologies of every supply (one scan of each property)."""
        if self._tech_all:
            return
        with self._tech_lock:
            if self._tech_all:
                return
            products = multi_map(iri_pairs(self.store, _PRODUCT))
            alternatives = multi_map(iri_pairs(self.store, _ALTERNATIVE))
            techs = multi_map(iri_pairs(self.store, _TECHNOLOGY))
            for iri, r in self.records.items():
                if r.kind != "supply" or iri in self._tech_done:
                    continue
                r.products = tuple(products.get(iri, ()))
                r.alternatives = tuple(alternatives.get(iri, ()))
                r.own_technologies = tuple(techs.get(iri, ()))
                r.technologies = frozenset(r.own_technologies).union(
                    *(techs.get(p, ()) for p in r.products + r.alternatives))
            self._tech_all = True

    def evidence(self, rec: str) -> tuple[str, ...]:
        """The sources of a claim (skg:evidence, sorted; read on first use)."""
        key = ("evidence", rec)
        got = self.cache.get(key)
        if got is None:
            try:
                node = ox.NamedNode(rec)
            except ValueError:
                return ()
            got = tuple(sorted({q.object.value for q in self.store.quads(
                node, skg("evidence"), None, None) if isinstance(q.object, ox.NamedNode)}))
            self.cache[key] = got
        assert isinstance(got, tuple)
        return got

    # ------------------------------------------------------------- small lookups
    def label(self, iri: str) -> str:
        return self.labels.get(iri) or fallback_label(iri)

    def all_types(self, iri: str) -> frozenset[str]:
        """Direct types and their superclasses (rdfs:subClassOf*, read from the ontology)."""
        out: set[str] = set()
        for t in self.types.get(iri, frozenset()):
            out |= self.superclasses.get(t, frozenset({t}))
        return frozenset(out)

    def type_names(self, iri: str) -> list[str]:
        """The entity's skg: classes by local name (e.g. ``PublicSecurityBody``)."""
        return sorted(t[len(SKG):] for t in self.types.get(iri, ()) if t.startswith(SKG))

    def weight(self, rec: str) -> float:
        w = self._weights
        if w is None:
            w = self._weights = {}
        got = w.get(rec)
        if got is None:
            r = self.records[rec]
            lvl = self.levels.get(r.confidence or "")
            got = w[rec] = (lvl.weight if lvl else self.default_level.weight) * r.link_weight
        return got

    @cached_property
    def default_level(self) -> Level:
        """The level assumed for a claim without a confidence: the weakest one defined."""
        if not self.levels:
            return Level("", "unknown", 0.5, 0)
        return min(self.levels.values(), key=lambda lv: (lv.rank, lv.weight))

    def known(self, iri: str) -> bool:
        """Whether the store says anything about ``iri`` (or a hop touches it)."""
        return iri in self.out or iri in self.inn or iri in self.labels or iri in self.types

    def counts(self, rec: str) -> bool:
        """Whether the claim's status adds exposure by default (no status: it does)."""
        st = self.records[rec].status
        return self.statuses.get(st, True) if st else True

    def details(self, iri: str) -> dict[str, list[Term]]:
        """Every property of ``iri`` (read from the store on first use, then kept)."""
        got = self._details.get(iri)
        if got is None:
            got = defaultdict(list)
            seen: set[tuple[str, Term]] = set()
            for q in self.store.quads(ox.NamedNode(iri), None, None, None):
                if isinstance(q.object, ox.Triple):
                    continue
                key = (q.predicate.value, q.object)
                if key not in seen:
                    seen.add(key)
                    got[q.predicate.value].append(q.object)
            self._details[iri] = got
        return got

    def first(self, iri: str, prop: str) -> str | None:
        vals = self.details(iri).get(prop)
        return vals[0].value if vals else None


# Store readers shared by the lazy accessors above and by the builder.


def iri_pairs(store: Store, pred: ox.NamedNode, graph: ox.NamedNode | None = None
              ) -> set[tuple[str, str]]:
    """Distinct (subject, object IRI) pairs of ``pred`` over every graph (or ``graph``)."""
    named, triple = ox.NamedNode, ox.Triple
    out: set[tuple[str, str]] = set()
    add = out.add
    for q in store.quads(None, pred, None, graph):
        o = q.object
        if type(o) is named:
            s = q.subject
            if type(s) is not triple:
                add((s.value, o.value))  # type: ignore[union-attr]
    return out


#: The name graph.projection imports (kept so that concurrent edits there need no change).


def objects_of(store: Store, subject: str, pred: ox.NamedNode) -> list[str]:
    """The distinct object IRIs of one subject's ``pred``, sorted."""
    try:
        node = ox.NamedNode(subject)
    except ValueError:
        return []
    return sorted({q.object.value for q in store.quads(node, pred, None, None)
                   if type(q.object) is ox.NamedNode})


def multi_map(pairs: Iterable[tuple[str, str]], ordered: bool = True) -> dict[str, list[str]]:
    """Subject -> its objects, sorted; the subjects too unless ``ordered`` is False (as
    ``sorted(pairs)`` would group them)."""
    out: dict[str, list[str]] = {}
    for s, o in pairs:
        got = out.get(s)
        if got is None:
            out[s] = [o]
        else:
            got.append(o)
    for vals in out.values():
        if len(vals) > 1:
            vals.sort()
    return dict(sorted(out.items())) if ordered else out
