"""The entity page: one paged :func:`graph.describe.describe` plus a summary from the
exposure projection (what it is, its group, its exposure or who supplied it, its risk).

A busy exporter at a million triples takes part in thousands of supplies, so the page
shows the first few claims of every kind with a contents list and counts, and each kind
pages on its own (``?kind=Supply&offset=50``). The summary reads the projection the
exposure engine already keeps warm, and the default ranking computed once per store
version (:func:`api.graphviews.default_ranking`), so it costs lookups, not searches.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from api import graphviews
from graph.describe import Description
from graph.exposure import Filters
from graph.exposure.evidence import claim_dict, ref_dict
from graph.exposure.filters import resolve
from graph.exposure.group import group_of, member_model
from graph.exposure.risk import hit_model, risk_targets
from graph.projection import Projection
from graph.store import Store

#: Claims of each kind on the overview; a kind's own pages hold this many.
PER_KIND = 8
PAGE = 50
#: Organisation classes that get an exposure view.
ORG_TYPES = ("Company", "Organisation", "PublicSecurityBody", "GovernmentBody",
             "ResearchInstitute", "UnnamedEndUser")
#: Classes with no exposure score: evidence and places are not actors.
NO_SCORE_TYPES = ("Source", "Report", "PressArticle", "ProcurementRecord",
                  "CompanyStatement", "Law", "Place", "Country", "Region", "City")


def is_org(desc: Description) -> bool:
    return any(t.iri.endswith(ORG_TYPES) for t in desc.types)


def summary(store: Store, proj: Projection, desc: Description) -> dict[str, Any]:
    """What the top of the page says: exposure (rank and score), group, suppliers, risk."""
    out: dict[str, Any] = {"exposure": None, "group": [], "suppliers": [], "supplies_in": 0,
                           "risk": [], "is_org": is_org(desc)}
    iri = desc.iri
    rf = resolve(proj, Filters())
    if out["is_org"]:
        entries = graphviews.default_ranking(store, proj)
        for i, entry in enumerate(entries):
            if entry["subject"]["iri"] == iri:
                out["exposure"] = {**entry, "rank": i + 1, "of": len(entries)}
                break
        members = [member_model(proj, m).to_dict() for m in group_of(proj, iri, rf)]
        out["group"] = [m for m in members if m["relation"] != "self"]
    out["suppliers"], out["supplies_in"] = _suppliers(proj, iri)
    out["risk"] = [hit_model(proj, h).to_dict() for h in risk_targets(proj, rf).get(iri, [])]
    if not out["risk"]:  # not a risk target itself (a place, say): its own flags
        out["risk"] = [{"indicator": ref_dict(proj, ind), "inherited": {"how": "direct"},
                        "flag": claim_dict(proj, flag)}
                       for flagged, ind, flag in proj.flags if flagged == iri]
    return out


def _suppliers(proj: Projection, iri: str, limit: int = 8) -> tuple[list[dict[str, Any]], int]:
    """Who supplied ``iri`` directly (supply records it receives), busiest first."""
    counts: Counter[str] = Counter()
    records: set[str] = set()
    for e in proj.inn.get(iri, ()):
        rec = proj.records.get(e.rec)
        if rec is not None and rec.kind == "supply" and e.src != iri:
            counts[e.src] += 1
            records.add(e.rec)
    top = [{**ref_dict(proj, s), "supplies": n} for s, n in counts.most_common(limit)]
    return top, len(records)
