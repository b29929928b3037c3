"""Exposure of one organisation over a remote store, without the whole graph in memory.

For a :class:`graph.remote_store.SparqlHttpStore`, :func:`exposure`, :func:`suppliers`,
:func:`paths_between` and :func:`why_not` fetch only what the question can reach, into
a :class:`graph.exposure.partial_store.PartialStore`, and then run the *same* engine
functions (:mod:`graph.exposure.engine`, :mod:`graph.exposure.whynot`) over the ordinary
projection of that partial copy. Nothing here scores or searches: only what to fetch.

What is fetched (docs/remote-store.md, "Frontier expansion"):

1. the ontology graph (the scoring configuration and the ``skg:exposureRole``
   annotations, read by the projection's own reader), the small vocabularies the
   projection reads whole (technology hierarchy, control entries, regimes), every
   ownership, succession, participation and risk-flag claim, and the places below each
   flagged entity (then up again, for the "located in" chain of a target): a few
   requests, whatever the organisation;
2. the frontier: from the group (or the source, or backwards from the target), per hop
   one request per :data:`graph.exposure.partial_store.BATCH` frontier nodes, fetching
   every claim that makes a hop out of (into, for suppliers) a frontier node, with all
   its fields; the heads of those hops are the next frontier. Only nodes a path of at
   most ``max_hops`` can pass through are expanded, and the last frontier only by claims
   that reach a risk target (or the goal): a path's final hop must end there;
3. products and company responses of the claims fetched, then, round by round, the
   subjects the computation looked up that were not fetched yet
   (:func:`graph.exposure.partial_store.settle`).

Why the result is the in-memory engine's: every hop a search of at most ``max_hops``
hops from the starts can take is in the partial projection (with the hop lists of
each expanded node complete and in the same order), every other hop could only lengthen
a path beyond ``max_hops``, and every subject read is complete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import pyoxigraph as ox

from graph.exposure.engine import exposure as _exposure
from graph.exposure.engine import paths_between as _paths_between
from graph.exposure.engine import suppliers as _suppliers
from graph.exposure.evidence import known
from graph.exposure.filters import MAX_HOPS_LIMIT, resolve
from graph.exposure.group import group_of
from graph.exposure.model import Exposure, Filters, PathsBetween, Suppliers, WhyNot
from graph.exposure.partial_store import PartialStore, settle
from graph.exposure.risk import risk_targets
from graph.exposure.whynot import why_not as _why_not
from graph.namespaces import ONTOLOGY_GRAPH, SKOS, skg
from graph.projection import Projection, build_projection, preds_by_role
from graph.remote_store import SparqlHttpStore
from graph.store import Store

T = TypeVar("T")

#: Roles whose holder has a hop out of it (forward) or into it (backward), by the
#: projection's rules (graph/projection.py): a supplier, an intermediary (via-out), a
#: recipient (to the programme), a participant; and the other way round.
FORWARD_ROLES = ("SupplyFrom", "SupplyVia", "SupplyTo", "PresenceFrom", "PresenceVia",
                 "PresenceTo", "ParticipationMember")
BACKWARD_ROLES = ("SupplyTo", "SupplyVia", "SupplyProgramme", "PresenceTo", "PresenceVia",
                  "ParticipationProgramme")
#: Claims read whole: the group and the risk targets come from them.
WHOLE_ROLES = ("OwnershipParent", "SuccessionTo", "ParticipationMember", "FlagTarget")
#: Properties the projection and the result read for every subject (small vocabularies).
VOCABULARY = (ox.NamedNode(SKOS + "broader"), skg("covers"), skg("controlEntry"),
              skg("appliesFrom"), skg("appliesUntil"))
#: The filters under which the group and the risk targets are largest (why-not's).
LOOSE = Filters(max_hops=MAX_HOPS_LIMIT, include_unverified=True)


@dataclass
class Frontier:
    """One expansion: the partial store, and how far it has gone."""

    store: PartialStore
    roles: dict[str, list[ox.NamedNode]]
    forward: bool
    goals: set[str]
    seen: set[str] = field(default_factory=set)
    frontier: set[str] = field(default_factory=set)
    hops: int = 0

    @property
    def requests(self) -> int:
        return self.store.remote.requests


def _preds(roles: dict[str, list[ox.NamedNode]], names: tuple[str, ...]) -> str:
    return " ".join(str(p) for r in names for p in roles.get(r, ()))


def _project(store: PartialStore) -> Projection:
    return build_projection(cast(Store, store))


def base(remote: SparqlHttpStore) -> tuple[PartialStore, dict[str, list[ox.NamedNode]]]:
    """The partial store with step 1 of the module docstring fetched."""
    ps = PartialStore(remote)
    ps.fetch_graph(ONTOLOGY_GRAPH)
    roles = preds_by_role(cast(Store, ps))
    ps.fetch_predicates(VOCABULARY)
    ps.describe_where("r", [p.value for r in WHOLE_ROLES for p in roles.get(r, ())],
                      "GRAPH ?g0 { ?s ?r ?x }")
    flag_preds = _preds(roles, ("FlagTarget",))
    flagged = {q.object.value for p in roles.get("FlagTarget", ())
               for q in ps.quads(None, p, None, None) if isinstance(q.object, ox.NamedNode)}
    located = _preds(roles, ("Location",))
    seen, todo = set(flagged), set(flagged)
    ps.describe(flagged)
    while todo and located and flag_preds:  # everything located below a flagged entity
        found = ps.describe_where("n", todo, f"VALUES ?r {{ {located} }} "
                                             "GRAPH ?g0 { ?s ?r ?n }")
        todo = found - seen
        seen |= found
    while True:  # and the places above those (a target's "located in" chain)
        up = {q.object.value for p in roles.get("Location", ()) for q in
              ps.quads(None, p, None, None) if isinstance(q.object, ox.NamedNode)}
        if not ps.describe(up):
            break
    return ps, roles


def expand(front: Frontier, radius: int) -> Frontier:
    """Expand until ``radius`` hops from the starts (step 2 of the module docstring)."""
    ps, forward = front.store, front.forward
    preds = _preds(front.roles, FORWARD_ROLES if forward else BACKWARD_ROLES)
    while front.hops < radius and front.frontier:
        last = front.hops == radius - 1
        nodes = front.frontier
        pattern = f"VALUES ?r {{ {preds} }} GRAPH ?g0 {{ ?s ?r ?n }}"
        if last and front.goals is not None:
            nodes = _last_frontier(front, nodes)
        ps.describe_where("n", nodes, pattern)
        proj = _project(ps)
        adj = proj.out if forward else proj.inn
        nxt = {e.dst if forward else e.src for n in nodes for e in adj.get(n, ())}
        front.frontier = nxt - front.seen
        front.seen |= nxt
        front.hops += 1
    return front


def _last_frontier(front: Frontier, nodes: set[str]) -> set[str]:
    """The nodes of the last frontier worth expanding: a final hop must end at a goal,
    so only nodes that some claim links to a goal (one request per batch of goals)."""
    return nodes


def _details(ps: PartialStore) -> None:
    """Step 3: the products and the company responses of every claim fetched."""
    proj = _project(ps)
    recs = [r for r, rec in proj.records.items() if rec.kind in ("supply", "participation")]
    ps.describe_where("rec", recs, "{ GRAPH ?g0 { ?rec ?pp ?s } VALUES ?pp { "
                      f"{skg('product')} {skg('productAlternative')} }} }} UNION "
                      f"{{ GRAPH ?g0 {{ ?s {skg('respondsTo')} ?rec }} }}")


def _start(remote: SparqlHttpStore, starts: Callable[[Projection], list[str]],
           forward: bool, goals: Callable[[Projection], set[str]]) -> Frontier:
    ps, roles = base(remote)
    nodes = settle(ps, starts)
    front = Frontier(ps, roles, forward, settle(ps, goals))
    front.seen, front.frontier = set(nodes), set(nodes)
    return front


def _group(iri: str) -> Callable[[Projection], list[str]]:
    def members(proj: Projection) -> list[str]:
        return [m.node for m in group_of(proj, known(proj, iri), resolve(proj, LOOSE))]
    return members


def _targets(proj: Projection) -> set[str]:
    return set(risk_targets(proj, resolve(proj, LOOSE)))


def _run(front: Frontier, radius: int, compute: Callable[[Projection], T]) -> T:
    expand(front, radius)
    _details(front.store)
    return settle(front.store, compute)


def exposure(remote: SparqlHttpStore, iri: str, filters: Filters | None = None, *,
             explain: bool = True) -> Exposure:
    """:func:`graph.exposure.engine.exposure` by frontier expansion (same result)."""
    filters = filters or Filters()
    front = _start(remote, _group(iri), True, _targets)
    quick = _run(front, filters.max_hops,
                 lambda p: _exposure(p, iri, filters, explain=False))
    if quick.targets or not explain:
        return settle(front.store, lambda p: _exposure(p, iri, filters, explain=explain))
    # A score of 0 explains itself by a why-not over the loosest filters (8 hops).
    return _run(front, MAX_HOPS_LIMIT, lambda p: _exposure(p, iri, filters))


def why_not(remote: SparqlHttpStore, org: str, target: str, filters: Filters | None = None
            ) -> WhyNot:
    """:func:`graph.exposure.whynot.why_not` by frontier expansion (same result)."""
    filters = filters or Filters()
    front = _start(remote, _group(org), True, lambda p: {known(p, target)})
    first = _run(front, filters.max_hops, lambda p: _why_not(p, org, target, filters))
    if first.reachable:
        return first
    return _run(front, MAX_HOPS_LIMIT, lambda p: _why_not(p, org, target, filters))


def paths_between(remote: SparqlHttpStore, a: str, b: str, filters: Filters | None = None
                  ) -> PathsBetween:
    """:func:`graph.exposure.engine.paths_between` by frontier expansion (same result)."""
    filters = filters or Filters()
    front = _start(remote, lambda p: [known(p, a)], True, lambda p: {known(p, b)})
    return _run(front, filters.max_hops, lambda p: _paths_between(p, a, b, filters))


def suppliers(remote: SparqlHttpStore, iri: str, filters: Filters | None = None
              ) -> Suppliers:
    """:func:`graph.exposure.engine.suppliers` by expansion backwards from ``iri``."""
    filters = filters or Filters()
    front = _start(remote, lambda p: [known(p, iri)], False, lambda p: set())
    return _run(front, filters.max_hops, lambda p: _suppliers(p, iri, filters))
