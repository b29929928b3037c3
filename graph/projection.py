"""The exposure projection: the store's supply chains as one NetworkX graph, built once.

Which properties make edges is read from the ontology (``skg:exposureRole`` annotations),
never from a list in code; each annotated property is then read with one
``store.quads(predicate=...)`` scan, which at a million triples takes a fraction of a
second where the equivalent SPARQL joins take seconds (bench/results/exposure.md).

Nodes are organisations and programmes; edges are hops of claims:

* a supply S from A to R: ``A -> R`` (role ``supply``); with intermediaries I:
  ``A -> I`` (``via-in``) and ``I -> R`` (``via-out``, only after ``A -> I`` of S);
* the programme P that S served: ``R -> P`` (``programme``, only after a hop of S), or
  ``A -> P`` when S names no recipient;
* a participation record: ``X -> P`` (``participation``);
* a market-presence record (a listing, endorsement, ...: ``skg:PresenceFrom`` /
  ``PresenceVia`` / ``PresenceTo`` roles) makes the same hops as a supply, with
  ``Record.link_kind`` ``market-presence`` and the weight its 'from' role carries
  (``skg:relationWeight``), so a path says which kind of link it rests on.

Each edge names its claim record (``rec``); the record's confidence, status, dates,
technologies and sources are in :attr:`Projection.records`. Ownership, succession,
locations and risk flags are kept beside the graph for the group and risk rules.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from graph.namespaces import (
    ONTOLOGY_GRAPH,
    RDFS_SUBCLASSOF,
    SKG,
    SKOS,
    skg,
)
from graph.projection_model import (
    OPEN,
    Edge,
    Indicator,
    Interval,
    Level,
    Projection,
    Record,
    iri_pairs,
    multi_map,
    objects_of,
    parse_interval,
)
from graph.store import Store
from graph.versioned import VersionCache

__all__ = ["OPEN", "Edge", "Interval", "Projection", "ProjectionCache", "Record",
           "build_projection", "parse_interval", "preds_by_role"]




def _preds_by_role(store: Store) -> dict[str, list[ox.NamedNode]]:
    roles: dict[str, list[ox.NamedNode]] = defaultdict(list)
    for prop, role in iri_pairs(store, skg("exposureRole"), ONTOLOGY_GRAPH):
        if role.startswith(SKG):
            roles[role[len(SKG):]].append(ox.NamedNode(prop))
    return roles


def preds_by_role(store: Store) -> dict[str, list[ox.NamedNode]]:
    """Role (``SupplyFrom``, ``Location``...) -> the properties the ontology gives it
    (the frontier expansion fetches by them, graph/exposure/frontier.py)."""
    return _preds_by_role(store)


def _role_pairs(store: Store, roles: dict[str, list[ox.NamedNode]], role: str
                ) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for p in roles.get(role, ()):
        out |= iri_pairs(store, p)
    return out






def _literal_map(store: Store, pred: ox.NamedNode, graph: ox.NamedNode | None = None
                 ) -> dict[str, str]:
    literal, triple = ox.Literal, ox.Triple
    out: dict[str, str] = {}
    for q in store.quads(None, pred, None, graph):
        o = q.object
        if type(o) is literal:
            s = q.subject
            if type(s) is not triple:
                out.setdefault(s.value, o.value)  # type: ignore[union-attr]
    return out


def _closure(parents: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Reflexive-transitive closure of a parent map."""
    out: dict[str, frozenset[str]] = {}

    def up(node: str, stack: frozenset[str]) -> frozenset[str]:
        if node in out:
            return out[node]
        acc = {node}
        for p in parents.get(node, ()):
            if p not in stack:
                acc |= up(p, stack | {node})
        out[node] = frozenset(acc)
        return out[node]

    for n in list(parents):
        up(n, frozenset())
    return out


def build_projection(store: Store) -> Projection:
    """Read the store once and build the projection (see the module docstring)."""
    proj = Projection(store=store, version=store.version)
    roles = _preds_by_role(store)
    _read_vocabulary(proj, store)
    _read_records(proj, store)
    _read_structure(proj, store, roles)
    _build_edges(proj, store, roles)
    return proj


def _read_vocabulary(proj: Projection, store: Store) -> None:
    """The scoring configuration: the class hierarchy, confidence levels, statuses and
    risk indicators, read from the bundled ontology's graph only (the trust boundary in
    docs/security.md: no import or update elsewhere changes how anyone is scored)."""
    onto = ONTOLOGY_GRAPH
    sub: dict[str, set[str]] = defaultdict(set)
    for c, p in iri_pairs(store, RDFS_SUBCLASSOF, onto):
        sub[c].add(p)
    proj.superclasses = _closure(sub)
    weights = _literal_map(store, skg("weight"), onto)
    ranks = _literal_map(store, skg("rank"), onto)
    for lvl in set(weights) | set(ranks):
        proj.levels[lvl] = Level(lvl, proj.label(lvl), float(weights.get(lvl, "0.5")),
                                 int(ranks.get(lvl, "0")))
    for st, val in _literal_map(store, skg("countsByDefault"), onto).items():
        proj.statuses[st] = val.strip().lower() in ("true", "1")
    severities = _literal_map(store, skg("severity"), onto)
    propagation = dict(iri_pairs(store, skg("propagation"), onto))
    applies = multi_map(iri_pairs(store, skg("appliesToClass"), onto))
    for ind, sev in severities.items():
        prop = propagation.get(ind, SKG + "DirectOnly")
        proj.indicators[ind] = Indicator(ind, proj.label(ind), float(sev), prop[len(SKG):]
                                         if prop.startswith(SKG) else prop,
                                         frozenset(applies.get(ind, ())))
    for narrow, broad in iri_pairs(store, ox.NamedNode(SKOS + "broader")):
        proj.broader.setdefault(narrow, set()).add(broad)
    for entry, tech in iri_pairs(store, skg("covers")):
        proj.covers.setdefault(tech, set()).add(entry)
    for cls, entry in sorted(iri_pairs(store, skg("controlEntry"))):
        for tech in objects_of(store, cls, skg("technology")):
            proj.covers.setdefault(tech, set()).add(entry)
    for entry in {e for es in proj.covers.values() for e in es}:
        kinds = proj.all_types(entry)
        proj.entry_kinds[entry] = ("annex-i" if SKG + "AnnexIEntry" in kinds else
                                   "catch-all" if SKG + "CatchAllClause" in kinds else
                                   "not-listed")


def _read_records(proj: Projection, store: Store) -> None:
    # A claim given several confidences or statuses (only an operator's update can do
    # that: imports may not touch others' claims) is scored by the weakest of them.
    conf: dict[str, str] = {}
    for iri, lvl in sorted(iri_pairs(store, skg("confidence"))):
        old = conf.get(iri)
        if old is None or _level_key(proj, lvl) < _level_key(proj, old):
            conf[iri] = lvl
    status: dict[str, str] = {}
    for iri, st in sorted(iri_pairs(store, skg("status"))):
        old = status.get(iri)
        if old is None or (proj.statuses.get(old, True) and not proj.statuses.get(st, True)):
            status[iri] = st
    dates = _literal_map(store, skg("date"))
    starts = _literal_map(store, skg("startDate"))
    ends = _literal_map(store, skg("endDate"))
    controlling = _literal_map(store, skg("controlling"))
    records = proj.records
    for iri in set(conf) | set(status):
        ctl = controlling.get(iri)
        records[iri] = Record(iri, "other", conf.get(iri), status.get(iri), dates.get(iri),
                              starts.get(iri), ends.get(iri))
        if ctl is not None:
            records[iri].controlling = ctl.strip().lower() not in ("false", "0")
    for resp, claim in sorted(iri_pairs(store, skg("respondsTo"))):
        proj.responses.setdefault(claim, []).append(resp)


def _level_key(proj: Projection, level: str) -> tuple[int, float]:
    got = proj.levels.get(level)
    return (got.rank, got.weight) if got else (-1, 0.0)


def _rec(proj: Projection, iri: str, kind: str) -> Record:
    rec = proj.records.get(iri)
    if rec is None:
        rec = proj.records[iri] = Record(iri)
    rec.kind = kind
    return rec


def _read_structure(proj: Projection, store: Store, roles: dict[str, list[ox.NamedNode]]
                    ) -> None:
    proj.located_in = multi_map(_role_pairs(store, roles, "Location"))
    for kind, a_role, b_role, target in (
            ("ownership", "OwnershipParent", "OwnershipChild", proj.ownerships),
            ("succession", "SuccessionFrom", "SuccessionTo", proj.successions),
            ("participation", "ParticipationMember", "ParticipationProgramme",
             proj.participations),
            ("flag", "FlagTarget", "FlagIndicator", proj.flags)):
        a_of = multi_map(_role_pairs(store, roles, a_role), ordered=False)
        b_of = multi_map(_role_pairs(store, roles, b_role), ordered=False)
        for rec in sorted(set(a_of) & set(b_of)):
            _rec(proj, rec, kind)
            target.extend((a, b, rec) for a in a_of[rec] for b in b_of[rec])


#: Kinds of supply-like link: (link kind, from, via, to, programme roles). A presence hop
#: has the same shape as a supply hop; its kind and weight come from the ontology.
_LINK_KINDS = (("supply", "SupplyFrom", "SupplyVia", "SupplyTo", "SupplyProgramme"),
               ("market-presence", "PresenceFrom", "PresenceVia", "PresenceTo", None))


def _build_edges(proj: Projection, store: Store, roles: dict[str, list[ox.NamedNode]]) -> None:
    role_weights = _literal_map(store, skg("relationWeight"), ONTOLOGY_GRAPH)
    edges: list[Edge] = []
    for link_kind, from_role, via_role, to_role, prog_role in _LINK_KINDS:
        weight = float(role_weights.get(SKG + from_role, "1"))
        supplier = multi_map(_role_pairs(store, roles, from_role), ordered=False)
        via = multi_map(_role_pairs(store, roles, via_role), ordered=False)
        to = multi_map(_role_pairs(store, roles, to_role), ordered=False)
        programme = (multi_map(_role_pairs(store, roles, prog_role), ordered=False)
                     if prog_role else {})
        for s in sorted(supplier):
            rec = _rec(proj, s, "supply")
            rec.link_kind, rec.link_weight = link_kind, weight
            edges += _supply_edges(s, supplier[s], via.get(s, []), to.get(s, []),
                                   programme.get(s, []))
    edges += [Edge(m, p, rec, "participation", None)
              for m, p, rec in proj.participations if m != p]
    edges = [e for e in dict.fromkeys(edges) if e.src != e.dst]
    out: dict[str, list[Edge]] = defaultdict(list)
    inn: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        out[e.src].append(e)
        inn[e.dst].append(e)
    proj.out, proj.inn = dict(out), dict(inn)


def _supply_edges(s: str, suppliers: list[str], mids: list[str], recipients: list[str],
                  progs: list[str]) -> list[Edge]:
    """The hops of one supply-like record (see the module docstring)."""
    edges: list[Edge] = []
    for a in suppliers:
        if mids:
            for i in mids:
                edges.append(Edge(a, i, s, "via-in", None))
                edges += [Edge(i, r, s, "via-out", s) for r in recipients]
                if not recipients:
                    edges += [Edge(i, p, s, "via-out", s) for p in progs]
        else:
            edges += [Edge(a, r, s, "supply", None) for r in recipients]
            if not recipients:
                edges += [Edge(a, p, s, "supply", None) for p in progs]
    edges += [Edge(r, p, s, "programme", s) for r in recipients for p in progs if r != p]
    return edges


class ProjectionCache(VersionCache[Projection]):
    """The projection of one store, rebuilt when the store's version changes."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, build_projection)
