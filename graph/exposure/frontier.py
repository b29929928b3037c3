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
   one request per :data:`graph.exposure.partial_store.BATCH` frontier nodes finding the
   claims that make a hop out of (into, for suppliers) a frontier node, and one per
   1,000 claims reading their role triples: the hop *skeleton*; the heads of those hops
   are the next frontier. Then the pruning: the reverse-distance table from the risk
   targets (or the goal) over the skeleton, by the engine's own ``distances_to``; a
   claim is kept only if one of its hops u -> v has depth(u) + 1 + distance(v) <=
   max_hops, and only kept claims are read with the fields the projection scans
   (confidence, status, dates, products, technologies);
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
from graph.exposure.filters import MAX_HOPS_LIMIT, distances_to, resolve
from graph.exposure.group import group_of
from graph.exposure.model import Exposure, Filters, PathsBetween, Suppliers, WhyNot
from graph.exposure.partial_store import PartialStore, settle
from graph.exposure.risk import risk_targets
from graph.exposure.whynot import why_not as _why_not
from graph.namespaces import ONTOLOGY_GRAPH, RDF_TYPE, SKOS, skg
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
    """One expansion: the partial store, the hop skeleton, and how far it has gone.

    ``skeleton`` holds only the role triples of the claims met (who supplied whom, via
    whom, for which programme): enough for the hops, not for scoring them. ``depth``
    is each node's distance in hops from the starts (to the target, backwards)."""

    store: PartialStore
    skeleton: PartialStore
    roles: dict[str, list[ox.NamedNode]]
    forward: bool
    goals: set[str]
    depth: dict[str, int] = field(default_factory=dict)
    frontier: set[str] = field(default_factory=set)
    hops: int = 0


def _preds(roles: dict[str, list[ox.NamedNode]], names: tuple[str, ...]) -> list[str]:
    return [str(p) for r in names for p in roles.get(r, ())]


def _claims(preds: list[str], obj: str = "?n") -> str:
    """``?s`` with one of ``preds`` to ``obj``, in any graph: a UNION of one pattern per
    property (Oxigraph answers it through its indexes; ``VALUES`` over the properties
    or ``FILTER(?r IN ...)`` made it scan, 10-25x slower at 1M triples)."""
    return " UNION ".join(f"{{ GRAPH ?g0 {{ ?s {p} {obj} }} }}" for p in preds) or \
        "FILTER(false)"


def _project(store: PartialStore) -> Projection:
    return build_projection(cast(Store, store))


def base(remote: SparqlHttpStore) -> tuple[PartialStore, dict[str, list[ox.NamedNode]]]:
    """The partial store with step 1 of the module docstring fetched."""
    ps = PartialStore(remote)
    ps.fetch_graph(ONTOLOGY_GRAPH)
    roles = preds_by_role(cast(Store, ps))
    ps.fetch_predicates(VOCABULARY)
    ps.describe_where(_claims(_preds(roles, WHOLE_ROLES), "?x"))
    flagged = {q.object.value for p in roles.get("FlagTarget", ())
               for q in ps.quads(None, p, None, None) if isinstance(q.object, ox.NamedNode)}
    located = _preds(roles, ("Location",))
    # Of the entities located below a flagged one, and of the places above those (a
    # target's "located in" chain), the risk rules read only places and types.
    wanted = [*roles.get("Location", ()), RDF_TYPE]
    seen, todo = set(flagged), set(flagged)
    ps.describe(flagged)
    while todo and located:
        found = ps.find(_claims(located), "n", todo) - seen
        ps.describe(found, wanted)
        todo = found
        seen |= found
    while True:
        up = {q.object.value for p in roles.get("Location", ()) for q in
              ps.quads(None, p, None, None) if isinstance(q.object, ox.NamedNode)}
        if not ps.describe(up - seen, wanted):
            break
        seen |= up
    return ps, roles


def expand(front: Frontier, radius: int) -> None:
    """Step 2 of the module docstring, up to ``radius`` hops from the starts: the hop
    skeleton first (per hop: the claims leaving the frontier, then their role triples),
    then every claim of a hop that lies on some walk of at most ``radius`` hops from a
    start to a goal (by the reverse-distance table), read with the fields the projection
    scans."""
    sk, forward = front.skeleton, front.forward
    leaving = _preds(front.roles, FORWARD_ROLES if forward else BACKWARD_ROLES)
    hop_roles = [p for r, ps in front.roles.items() if r.startswith(_HOP_ROLES) for p in ps]
    while front.hops < radius and front.frontier:
        claims = sk.find(_claims(leaving), "n", front.frontier)
        sk.describe(claims - sk.described, hop_roles)
        sk.described |= claims
        proj = _project(sk)
        adj = proj.out if forward else proj.inn
        nxt = {e.dst if forward else e.src for n in front.frontier for e in adj.get(n, ())}
        front.frontier = nxt - front.depth.keys()
        front.hops += 1
        front.depth.update(dict.fromkeys(front.frontier, front.hops))
    proj = _project(sk)
    edges = [e for es in proj.out.values() for e in es]
    if forward:  # prune: a hop u -> v is kept if some walk start ... u -> v ... goal fits
        dist = distances_to(proj.inn, front.goals, radius)
        big = radius + 1
        keep = {e.rec for e in edges if e.src in front.depth
                and front.depth[e.src] + 1 + dist.get(e.dst, big) <= radius}
    else:  # backwards, every hop into the ball may end a supplier's path
        keep = {e.rec for e in edges if front.depth.get(e.dst, radius) < radius}
    front.store.describe(keep, [*hop_roles, *_CLAIM_FIELDS])


#: What the projection reads of a claim besides its roles (graph/projection.py); labels,
#: evidence and the rest are read for the paths a result lists, as lookups (misses).
_CLAIM_FIELDS = tuple(skg(p) for p in ("confidence", "status", "date", "startDate", "endDate",
                                        "controlling", "product", "productAlternative",
                                        "technology"))


#: The role names (prefixes) whose properties make hops (graph/projection.py).
_HOP_ROLES = ("Supply", "Presence", "Participation")


def _details(ps: PartialStore) -> None:
    """Step 3: the products and the company responses of every claim fetched."""
    proj = _project(ps)
    recs = [r for r, rec in proj.records.items() if rec.kind in ("supply", "participation")]
    ps.describe_where(f"{{ GRAPH ?g0 {{ ?rec {skg('product')} ?s }} }} UNION "
                      f"{{ GRAPH ?g0 {{ ?rec {skg('productAlternative')} ?s }} }} UNION "
                      f"{{ GRAPH ?g0 {{ ?s {skg('respondsTo')} ?rec }} }}", "rec", recs)


def _start(remote: SparqlHttpStore, starts: Callable[[Projection], list[str]],
           forward: bool, goals: Callable[[Projection], set[str]],
           fetched: list[PartialStore] | None) -> Frontier:
    ps, roles = base(remote)
    if fetched is not None:
        fetched += [ps]
    nodes = settle(ps, starts)
    skeleton = PartialStore(remote)
    skeleton.copy(ps, ONTOLOGY_GRAPH)
    front = Frontier(ps, skeleton, roles, forward, settle(ps, goals) if forward else set())
    front.depth, front.frontier = dict.fromkeys(nodes, 0), set(nodes)
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
             explain: bool = True, fetched: list[PartialStore] | None = None) -> Exposure:
    """:func:`graph.exposure.engine.exposure` by frontier expansion (same result).
    ``fetched`` (here and below) receives the partial store, to see what was read."""
    filters = filters or Filters()
    front = _start(remote, _group(iri), True, _targets, fetched)
    result = _run(front, filters.max_hops, lambda p: _exposure(p, iri, filters, explain=explain))
    if result.targets or not explain:
        return result
    # A score of 0 explains itself by a why-not over the loosest filters (8 hops).
    return _run(front, MAX_HOPS_LIMIT, lambda p: _exposure(p, iri, filters))


def why_not(remote: SparqlHttpStore, org: str, target: str, filters: Filters | None = None,
            *, fetched: list[PartialStore] | None = None) -> WhyNot:
    """:func:`graph.exposure.whynot.why_not` by frontier expansion (same result)."""
    filters = filters or Filters()
    front = _start(remote, _group(org), True, lambda p: {known(p, target)}, fetched)
    first = _run(front, filters.max_hops, lambda p: _why_not(p, org, target, filters))
    if first.reachable:
        return first
    return _run(front, MAX_HOPS_LIMIT, lambda p: _why_not(p, org, target, filters))


def paths_between(remote: SparqlHttpStore, a: str, b: str, filters: Filters | None = None,
                  *, fetched: list[PartialStore] | None = None) -> PathsBetween:
    """:func:`graph.exposure.engine.paths_between` by frontier expansion (same result)."""
    filters = filters or Filters()
    front = _start(remote, lambda p: [known(p, a)], True, lambda p: {known(p, b)},
                   fetched)
    return _run(front, filters.max_hops, lambda p: _paths_between(p, a, b, filters))


def suppliers(remote: SparqlHttpStore, iri: str, filters: Filters | None = None, *,
              fetched: list[PartialStore] | None = None) -> Suppliers:
    """:func:`graph.exposure.engine.suppliers` by expansion backwards from ``iri``."""
    filters = filters or Filters()
    front = _start(remote, lambda p: [known(p, iri)], False, lambda p: set(), fetched)
    return _run(front, filters.max_hops, lambda p: _suppliers(p, iri, filters))
