"""The corporate group an exposure is computed for.

The group of O: O itself, its subsidiaries (controlling ownership records only; a
``skg:controlling false`` stake is recorded but does not count) and its predecessors
(succession records, followed backwards), transitively in any mix: Idemia's group holds
Safran I&S and, through it, Morpho. Every member carries the period in which it belongs
to the group: the intersection of the ownership periods on its chain (successions have
no period: a successor inherits its predecessor's whole history). A path may start at a
member only with a supply whose dates overlap that period (unknown dates overlap).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from graph.exposure.evidence import claim_dict, entity_ref
from graph.exposure.filters import Resolved, failure, iso
from graph.exposure.model import GroupMember
from graph.namespaces import local_id
from graph.projection import OPEN, Interval, Projection


@dataclass
class Member:
    node: str
    relation: str
    via: tuple[str, ...]
    valid: list[Interval] = field(default_factory=list)


def _links(proj: Projection, rf: Resolved) -> dict[str, list[tuple[str, str, str]]]:
    key = ("group-links", rf.filters.as_of, rf.filters.min_confidence, rf.include_unverified)
    if key not in proj.cache:
        down: dict[str, list[tuple[str, str, str]]] = {}
        for parent, child, rec in proj.ownerships:
            r = proj.records[rec]
            if r.controlling and failure(proj, r, rf, check_tech=False) is None:
                down.setdefault(parent, []).append((child, rec, "subsidiary"))
        for pred, succ, rec in proj.successions:
            if failure(proj, proj.records[rec], rf, check_tech=False) is None:
                down.setdefault(succ, []).append((pred, rec, "predecessor"))
        proj.cache[key] = down
    got: dict[str, list[tuple[str, str, str]]] = proj.cache[key]
    return got


def group_of(proj: Projection, org: str, rf: Resolved) -> list[Member]:
    """``org`` first, then every member in breadth-first order."""
    links = _links(proj, rf)
    members: dict[str, Member] = {org: Member(org, "self", (), [OPEN])}
    seen: set[tuple[str, Interval]] = {(org, OPEN)}
    todo: deque[tuple[str, Interval, tuple[str, ...]]] = deque([(org, OPEN, ())])
    while todo:
        node, valid, via = todo.popleft()
        for child, rec, relation in links.get(node, ()):
            if relation == "subsidiary":
                r = proj.records[rec]
                lo, hi = max(valid[0], r.start_bound), min(valid[1], r.end_bound)
                if lo > hi:
                    continue
                span: Interval = (lo, hi)
            else:
                span = valid
            if (child, span) in seen:
                continue
            seen.add((child, span))
            m = members.get(child)
            if m is None:
                m = members[child] = Member(child, relation, (*via, rec))
            if child != org and span not in m.valid:
                m.valid.append(span)
            todo.append((child, span, (*via, rec)))
    return [m for m in members.values() if m.valid]


def member_model(proj: Projection, m: Member) -> GroupMember:
    return GroupMember(
        entity=entity_ref(proj, m.node), relation=m.relation,
        via=[local_id(v) for v in m.via],
        valid={"periods": [{"from": iso(lo), "to": iso(hi)} for lo, hi in m.valid]},
        records=[claim_dict(proj, v) for v in m.via])


def owners_of(proj: Projection, node: str, rf: Resolved) -> list[str]:
    """Organisations whose group contains ``node`` (parents, successors), transitively."""
    key = ("group-up", rf.filters.as_of, rf.filters.min_confidence, rf.include_unverified)
    up: dict[str, list[str]] | None = proj.cache.get(key)
    if up is None:
        up = {}
        for parent, kids in _links(proj, rf).items():
            for child, _, _ in kids:
                up.setdefault(child, []).append(parent)
        proj.cache[key] = up
    out: list[str] = []
    todo = deque(up.get(node, ()))
    while todo:
        n = todo.popleft()
        if n not in out and n != node:
            out.append(n)
            todo.extend(up.get(n, ()))
    return out
