"""Risk targets: which entities carry a risk indicator under the filters, and why.

The indicators, their severities and how they propagate are data (ontology/
risk-indicators.ttl); which entity is flagged, on what evidence, is a skg:RiskFlag. This
module only applies the three propagation rules: ``DirectOnly`` (the flagged entity),
``ByLocation`` (everything located, transitively, in the flagged place), and
``ByParticipation`` (the flagged programme, its participants and its sub-programmes,
transitively), each restricted to ``skg:appliesToClass`` when given.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from graph.exposure.evidence import claim_dict, entity_ref, ref_dict
from graph.exposure.filters import Resolved, failure
from graph.exposure.model import RiskHit, Target
from graph.namespaces import SKG, local_id
from graph.projection import Projection

_PLACE = SKG + "Place"


@dataclass(frozen=True)
class Hit:
    indicator: str
    flag: str
    flagged: str
    how: str
    chain: tuple[str, ...]


def _contained(proj: Projection) -> dict[str, list[str]]:
    key = "contained"
    if key not in proj.cache:
        down: dict[str, list[str]] = defaultdict(list)
        for entity, places in proj.located_in.items():
            for p in places:
                down[p].append(entity)
        proj.cache[key] = dict(down)
    got: dict[str, list[str]] = proj.cache[key]
    return got


def _spread(start: str, children: dict[str, list[tuple[str, str]]]
            ) -> list[tuple[str, tuple[str, ...]]]:
    """Every node below ``start`` with the chain of links that reaches it (BFS)."""
    out: list[tuple[str, tuple[str, ...]]] = [(start, ())]
    seen = {start}
    todo: deque[tuple[str, tuple[str, ...]]] = deque([(start, ())])
    while todo:
        node, chain = todo.popleft()
        for child, link in children.get(node, ()):
            if child not in seen:
                seen.add(child)
                item = (child, (*chain, link))
                out.append(item)
                todo.append(item)
    return out


def risk_targets(proj: Projection, rf: Resolved) -> dict[str, list[Hit]]:
    """Every risk target under the filters, with the indicator hits it carries."""
    key = ("targets", rf.filters.as_of, rf.filters.min_confidence, rf.include_unverified)
    if key in proj.cache:
        cached: dict[str, list[Hit]] = proj.cache[key]
        return cached
    contained = _contained(proj)
    by_place = {p: [(e, p) for e in es] for p, es in contained.items()}
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for m, prog, rec in proj.participations:
        if failure(proj, proj.records[rec], rf) is None:
            members[prog].append((m, rec))
    hits: dict[str, list[Hit]] = defaultdict(list)
    for flagged, ind_iri, flag in proj.flags:
        ind = proj.indicators.get(ind_iri)
        if ind is None or failure(proj, proj.records[flag], rf, check_tech=False) is not None:
            continue
        if ind.propagation == "ByLocation":
            reached, how = _spread(flagged, by_place), "location"
        elif ind.propagation == "ByParticipation":
            reached, how = _spread(flagged, members), "participation"
        else:
            reached, how = [(flagged, ())], "direct"
        for node, chain in reached:
            types = proj.all_types(node)
            if _PLACE in types:
                continue
            if ind.applies_to and not (ind.applies_to & types):
                continue
            hits[node].append(Hit(ind_iri, flag, flagged, "direct" if not chain else how,
                                  chain))
    result = dict(hits)
    proj.cache[key] = result
    return result


def severity(proj: Projection, hits: list[Hit]) -> float:
    """A target's severity: the highest severity among its indicators."""
    return max((proj.indicators[h.indicator].severity for h in hits), default=0.0)


def places_of(proj: Projection, node: str) -> list[str]:
    """Every place ``node`` is in, nearest first (Urumqi, Xinjiang, China)."""
    out: list[str] = []
    todo = deque(proj.located_in.get(node, ()))
    while todo:
        p = todo.popleft()
        if p not in out and p != node:
            out.append(p)
            todo.extend(proj.located_in.get(p, ()))
    return out


def hit_model(proj: Projection, h: Hit) -> RiskHit:
    ind = proj.indicators[h.indicator]
    return RiskHit(
        indicator={**ref_dict(proj, ind.iri), "propagation": ind.propagation,
                   "applies_to": sorted(local_id(c) for c in ind.applies_to)},
        severity=ind.severity,
        flag={**claim_dict(proj, h.flag), "flagged": ref_dict(proj, h.flagged)},
        inherited={"how": h.how, "from": ref_dict(proj, h.flagged),
                   "chain": [ref_dict(proj, c) for c in h.chain]})


def target_model(proj: Projection, node: str, hits: list[Hit]) -> Target:
    """The reader-facing target (built once per target and set of hits)."""
    key = ("target-model", node, tuple(hits))
    got = proj.cache.get(key)
    if got is None:
        got = proj.cache[key] = _target_model(proj, node, hits)
    assert isinstance(got, Target)
    return got


def _target_model(proj: Projection, node: str, hits: list[Hit]) -> Target:
    ref = entity_ref(proj, node)
    return Target(ref.id, ref.iri, ref.label, ref.types, severity(proj, hits),
                  [hit_model(proj, h) for h in hits],
                  [entity_ref(proj, p) for p in places_of(proj, node)])
