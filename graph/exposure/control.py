"""Export-control status of a path's technologies: the report's "control gap", queryable.

A technology is ``annex-i`` when an Annex I entry of the regulation covers it or a
broader concept (``skg:covers``, or a ``skg:ControlClassification`` assigning it to the
entry), ``catch-all-only`` when only a catch-all clause (Article 5) reaches it, and
``not-controlled`` otherwise. A path takes the strongest status among its technologies
(``unknown`` when no hop names a technology).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.exposure.evidence import ref_dict
from graph.exposure.filters import ancestors
from graph.exposure.model import ControlStatus
from graph.namespaces import SKG, rid
from graph.projection import Projection

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
    return ControlStatus(status, regulation, rows)
