"""Filters resolved against the projection, and the filtered graph they leave.

Everything here is cached on the projection per :class:`Filters` value, so a ranking or a
second request with the same filters reuses the adjacency lists and distance maps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from graph.errors import InvalidParameter
from graph.exposure.model import Filters
from graph.namespaces import SKG, iri_of
from graph.projection import Edge, Interval, Projection, Record, parse_interval

#: Each hop beyond the first multiplies a path's score by this (docs/exposure.md).
DECAY = 0.8
#: Hard limit on max_hops (bounded search; the API refuses more).
MAX_HOPS_LIMIT = 8


@dataclass(frozen=True)
class Resolved:
    """Filters with every name turned into IRIs and numbers."""

    filters: Filters
    as_of: Interval | None
    min_weight: float | None
    min_rank: int | None
    technologies: frozenset[str] | None
    include_unverified: bool
    max_hops: int


def _level(proj: Projection, text: str) -> tuple[float | None, int | None]:
    try:
        return float(text), None
    except ValueError:
        pass
    wanted = text.strip().lower().replace("_", " ").replace("-", " ")
    for lvl in proj.levels.values():
        names = {lvl.iri.lower(), lvl.label.lower(), lvl.iri[len(SKG):].lower()}
        spaced = {n.replace("-", " ") for n in names}
        camel = lvl.iri[len(SKG):]
        words = "".join(" " + c.lower() if c.isupper() else c for c in camel).strip()
        if wanted in spaced or wanted == words or wanted.replace(" ", "") == camel.lower():
            return None, lvl.rank
    known = ", ".join(sorted(lv.iri[len(SKG):] for lv in proj.levels.values()))
    raise InvalidParameter("min_confidence",
                           f"unknown confidence level {text!r} (known: {known}, or 0-1)")


def resolve(proj: Projection, filters: Filters) -> Resolved:
    """Check and resolve ``filters``; bad values raise :class:`InvalidParameter`."""
    key = ("resolved", filters)
    if key in proj.cache:
        got: Resolved = proj.cache[key]
        return got
    if not 1 <= filters.max_hops <= MAX_HOPS_LIMIT:
        raise InvalidParameter("max_hops", f"must be between 1 and {MAX_HOPS_LIMIT}")
    if filters.max_paths < 0:
        raise InvalidParameter("max_paths", "must not be negative")
    as_of = None
    if filters.as_of:
        as_of = parse_interval(filters.as_of)
        if as_of is None:
            raise InvalidParameter("as_of", f"{filters.as_of!r} is not a date (YYYY[-MM[-DD]])")
    min_weight = min_rank = None
    mc = filters.min_confidence
    if isinstance(mc, int | float) and not isinstance(mc, bool):
        min_weight = float(mc)
    elif isinstance(mc, str) and mc.strip():
        min_weight, min_rank = _level(proj, mc)
    techs = None
    if filters.technology:
        tech = iri_of(filters.technology)
        if tech not in proj.broader and not any(tech in b for b in proj.broader.values()) \
                and tech not in proj.covers and tech not in proj.labels:
            raise InvalidParameter("technology", f"unknown technology {filters.technology!r}")
        proj.load_technologies()
        techs = frozenset(t for t in _all_techs(proj) if tech in ancestors(proj, t)) | {tech}
    res = Resolved(filters, as_of, min_weight, min_rank, techs, filters.include_unverified,
                   filters.max_hops)
    proj.cache[key] = res
    return res


def _all_techs(proj: Projection) -> set[str]:
    out = set(proj.broader)
    for rec in proj.records.values():
        out |= rec.technologies
    return out


def ancestors(proj: Projection, tech: str) -> set[str]:
    """``tech`` and every broader technology above it (the technology filter and the
    control entries both match narrower technologies)."""
    seen, todo = {tech}, [tech]
    while todo:
        for b in proj.broader.get(todo.pop(), ()):
            if b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def failure(proj: Projection, rec: Record, rf: Resolved, *, check_tech: bool = True
            ) -> str | None:
    """Why ``rec`` is left out under ``rf`` (None: it passes).

    One of ``not-yet-started``, ``expired``, ``below-confidence``, ``unverified``
    (any status that does not count by default), ``technology``.
    """
    if rf.as_of is not None:
        if rec.start_bound > rf.as_of[1]:
            return "not-yet-started"
        if rec.end_bound < rf.as_of[0]:
            return "expired"
    if rf.min_weight is not None or rf.min_rank is not None:
        lvl = proj.levels.get(rec.confidence or "") or proj.default_level
        if rf.min_weight is not None and lvl.weight < rf.min_weight:
            return "below-confidence"
        if rf.min_rank is not None and lvl.rank < rf.min_rank:
            return "below-confidence"
    if not rf.include_unverified and not proj.counts(rec.iri):
        return "unverified"
    if check_tech and rf.technologies is not None and rec.kind == "supply" \
            and not (proj.technologies(rec.iri) & rf.technologies):
        return "technology"
    return None


def passes(proj: Projection, rec: str, rf: Resolved) -> bool:
    return failure(proj, proj.records[rec], rf) is None


def adjacency(proj: Projection, rf: Resolved) -> tuple[dict[str, list[Edge]],
                                                         dict[str, list[Edge]]]:
    """Out- and in-edges whose claims pass the filters."""
    key = ("adj", rf.filters.as_of, rf.filters.min_confidence, rf.filters.technology,
           rf.include_unverified)
    if key not in proj.cache:
        ok = {r for r in proj.records if passes(proj, r, rf)}
        out = {n: kept for n, es in proj.out.items() if (kept := [e for e in es if e.rec in ok])}
        inn = {n: kept for n, es in proj.inn.items() if (kept := [e for e in es if e.rec in ok])}
        proj.cache[key] = (out, inn)
    got: tuple[dict[str, list[Edge]], dict[str, list[Edge]]] = proj.cache[key]
    return got


def distances_to(inn: dict[str, list[Edge]], targets: Iterable[str],
                 limit: int) -> dict[str, int]:
    """Fewest hops from each node to the nearest of ``targets`` (reverse BFS, up to
    ``limit``): the pruning map every search uses, shared by all starts."""
    dist = dict.fromkeys(targets, 0)
    frontier = deque(dist)
    while frontier:
        node = frontier.popleft()
        d = dist[node] + 1
        if d > limit:
            continue
        for e in inn.get(node, ()):
            if e.src not in dist:
                dist[e.src] = d
                frontier.append(e.src)
    return dist


def is_start_edge(proj: Projection, e: Edge) -> bool:
    """A path starts with a supply made by its first node (not a participation)."""
    return e.requires is None and proj.records[e.rec].kind == "supply"


def overlaps(span: Interval, valid: list[Interval]) -> bool:
    return any(span[0] <= hi and lo <= span[1] for lo, hi in valid)


def iso(d: date) -> str | None:
    return None if d in (date.min, date.max) else d.isoformat()
