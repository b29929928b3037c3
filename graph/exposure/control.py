"""Export-control status of a path's technologies: the report's "control gap", queryable.

A technology is ``annex-i`` when an Annex I entry of the regulation covers it or a
broader concept (``skg:covers``, or a ``skg:ControlClassification`` assigning it to the
entry), ``catch-all-only`` when only a catch-all clause (Article 5) reaches it, and
``not-controlled`` otherwise. A path takes the strongest status among its technologies
(``unknown`` when no hop names a technology).

Each path is judged twice (docs/exposure.md, "The law at the time"): under the
regulation in force today (:data:`REGULATION`) and under the one in force when its first
supply happened (:func:`control_at_time`). Which regulation applied when is data
(``skg:appliesFrom`` / ``skg:appliesUntil`` on the regulations); a supply's date is its
own date or period, and it cannot be later than its earliest dated source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

import pyoxigraph as ox

from graph.exposure.evidence import evidence_of, ref_dict
from graph.exposure.filters import ancestors
from graph.exposure.model import ControlStatus
from graph.namespaces import SKG, rid
from graph.projection import Interval, Projection, parse_interval

#: The regulation whose entries count (Regulation (EU) 2021/821, the dual-use recast).
REGULATION = rid("regulation/eu-2021-821").value
_ORDER = {"annex-i": 3, "catch-all-only": 2, "not-controlled": 1, "unknown": 0}


def _in_regulation(proj: Projection, entry: str, regulation: str) -> bool:
    regs = [t.value for t in proj.details(entry).get(SKG + "inRegulation", [])]
    return not regs or regulation in regs


def technology_status(proj: Projection, tech: str, regulation: str = REGULATION
                      ) -> dict[str, Any]:
    key = ("control", tech, regulation)
    if key not in proj.cache:
        entries = sorted({e for t in ancestors(proj, tech) for e in proj.covers.get(t, ())
                          if _in_regulation(proj, e, regulation)})
        kinds = {proj.entry_kinds.get(e) for e in entries}
        status = ("annex-i" if "annex-i" in kinds else
                  "catch-all-only" if "catch-all" in kinds else "not-controlled")
        proj.cache[key] = {"technology": ref_dict(proj, tech), "status": status,
                           "entries": [{**ref_dict(proj, e),
                                        "kind": proj.entry_kinds.get(e)} for e in entries]}
    got: dict[str, Any] = proj.cache[key]
    return got


def control_status(proj: Projection, techs: Iterable[str], regulation: str = REGULATION
                   ) -> ControlStatus:
    rows = [technology_status(proj, t, regulation) for t in sorted(set(techs))]
    status = max((r["status"] for r in rows), key=_ORDER.__getitem__, default="unknown")
    return ControlStatus(status, regulation, rows, regulation_label=proj.label(regulation))


def _interval(text: str | None) -> Interval | None:
    try:
        return parse_interval(text or "")
    except ValueError:  # a date as given with an impossible month ('2023-2024')
        return None


def regimes(proj: Projection) -> list[tuple[str, Interval]]:
    """Every regulation with a recorded period of application, and that period."""
    key = ("regimes",)
    if key not in proj.cache:
        spans: dict[str, Interval] = {}
        for pred, side in (("appliesFrom", 0), ("appliesUntil", 1)):
            for q in proj.store.quads(None, ox.NamedNode(SKG + pred), None, None):
                iv = _interval(q.object.value) if isinstance(q.object, ox.Literal) else None
                if iv is None or not isinstance(q.subject, ox.NamedNode):
                    continue
                lo, hi = spans.get(q.subject.value, (date.min, date.max))
                spans[q.subject.value] = (iv[0], hi) if side == 0 else (lo, iv[1])
        proj.cache[key] = sorted(spans.items())
    got: list[tuple[str, Interval]] = proj.cache[key]
    return got


def supply_when(proj: Projection, rec: str) -> tuple[Interval, str]:
    """When the claim's supply happened, as widely as its dates allow, capped by its
    earliest dated source (a supply a source reports happened by then), and how."""
    r = proj.records[rec]
    lo, hi = r.span
    given = r.date or "-".join(x for x in (r.start, r.end) if x)
    note = f"dated {given}" if given else "undated"
    ends = [(iv[1], s.date) for s in evidence_of(proj, rec)
            if (iv := _interval(s.date)) is not None]
    if ends:
        end, text = min(ends)
        if lo <= end < hi:  # (a source dated before the supply's start bounds nothing)
            hi = end
            note += f"; reported by {text} (earliest dated source)"
    return (lo, hi), note


def control_at_time(proj: Projection, rec: str, techs: Iterable[str]) -> ControlStatus:
    """The control status under the regulation in force at the date of supply ``rec``;
    ``unknown`` when no recorded regime, or more than one, covers those dates."""
    techs = frozenset(techs)
    key = ("control-at", rec, techs)
    if key not in proj.cache:
        (lo, hi), note = supply_when(proj, rec)
        found = [reg for reg, (a, b) in regimes(proj) if a <= hi and lo <= b]
        if len(found) == 1:
            got = dataclasses.replace(control_status(proj, techs, found[0]),
                                      basis="at-supply-date",
                                      note=f"{note}: {proj.label(found[0])} applied")
        else:
            why = ("no recorded regime applied then" if not found else
                   "its dates span " + " and ".join(proj.label(f) for f in found))
            got = ControlStatus("unknown", "", [], basis="at-supply-date",
                                note=f"{note}: {why}")
        proj.cache[key] = got
    out: ControlStatus = proj.cache[key]
    return out
