"""Turning IRIs into the reader-facing references of a result: entities, sources,
responses and claims, with the properties a reader needs to find and weigh them."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.errors import UnknownEntity
from graph.exposure.model import Confidence, EntityRef, ResponseRef, SourceRef
from graph.namespaces import DCTERMS, ID, SKG, local_id
from graph.projection import Projection

_SOURCE_BASE = SKG + "Source"


def known(proj: Projection, iri: str) -> str:
    """The full IRI of ``iri`` (an IRI or a local id) if the projection knows it, else
    :class:`UnknownEntity`."""
    if "://" not in iri:
        iri = ID + iri.lstrip("/")
    if proj.known(iri):
        return iri
    raise UnknownEntity(iri)


def entity_ref(proj: Projection, iri: str) -> EntityRef:
    return EntityRef(local_id(iri), iri, proj.label(iri), proj.type_names(iri))


def ref_dict(proj: Projection, iri: str) -> dict[str, Any]:
    """``{id, iri, label}`` of anything (records, indicators, technologies)."""
    return {"id": local_id(iri), "iri": iri, "label": proj.label(iri)}


def _text(proj: Projection, iri: str, *props: str) -> str | None:
    """The first value of the first property present; a resource gives its label."""
    for prop in props:
        vals = proj.details(iri).get(prop)
        if vals:
            v = vals[0]
            return proj.label(v.value) if isinstance(v, ox.NamedNode) else v.value
    return None


def _texts(proj: Projection, iri: str, prop: str) -> list[str]:
    """Every value of ``prop`` as text (resources by label), sorted: stable whatever
    order the store returns them in."""
    return sorted(proj.label(v.value) if isinstance(v, ox.NamedNode) else v.value
                  for v in proj.details(iri).get(prop, ()))


def source_ref(proj: Projection, iri: str) -> SourceRef:
    key = ("source", iri)
    got = proj.cache.get(key)
    if got is None:
        kinds = sorted(t[len(SKG):] for t in proj.types.get(iri, ())
                       if t.startswith(SKG) and t != _SOURCE_BASE)
        low = _text(proj, iri, SKG + "lowReliability")
        got = SourceRef(
            id=local_id(iri), iri=iri,
            title=_text(proj, iri, DCTERMS + "title") or proj.labels.get(iri),
            publisher=_text(proj, iri, DCTERMS + "publisher"),
            date=_text(proj, iri, SKG + "date", DCTERMS + "date", DCTERMS + "issued"),
            url=_text(proj, iri, SKG + "url"),
            type=kinds[0] if kinds else ("Source" if _SOURCE_BASE in proj.types.get(iri, ())
                                         else None),
            low_reliability=(low or "").lower() in ("true", "1"),
            archived_url=_text(proj, iri, SKG + "archivedUrl"))
        proj.cache[key] = got
    assert isinstance(got, SourceRef)
    return got


def evidence_of(proj: Projection, rec: str) -> list[SourceRef]:
    return [source_ref(proj, s) for s in proj.evidence(rec)]


def responses_to(proj: Projection, rec: str) -> list[ResponseRef]:
    out = []
    for resp in proj.responses.get(rec, ()):
        # A joint response (e.g. all three companies) names every respondent.
        respondents = _texts(proj, resp, SKG + "respondent")
        out.append(ResponseRef(
            id=local_id(resp), iri=resp,
            respondent=", ".join(respondents) or None, respondents=respondents,
            statement=_text(proj, resp, SKG + "statement", DCTERMS + "description"),
            date=_text(proj, resp, SKG + "date"),
            evidence=evidence_of(proj, resp)))
    return out


def confidence_of(proj: Projection, rec: str) -> Confidence:
    r = proj.records[rec]
    lvl = proj.levels.get(r.confidence or "")
    if lvl is None:
        d = proj.default_level
        return Confidence(None, f"none given (scored as {d.label})", d.weight, d.rank)
    return Confidence(lvl.iri[len(SKG):], lvl.label, lvl.weight, lvl.rank)


def status_of(proj: Projection, rec: str) -> str | None:
    st = proj.records[rec].status
    if st is None:
        return None
    return st[len(SKG):].lower() if st.startswith(SKG) else local_id(st)


def claim_dict(proj: Projection, rec: str) -> dict[str, Any]:
    """A claim record with its confidence, status, dates and sources."""
    r = proj.records[rec]
    return {**ref_dict(proj, rec), "kind": r.kind,
            "confidence": confidence_of(proj, rec).to_dict(),
            "status": status_of(proj, rec), "counts": proj.counts(rec),
            "date": {"date": r.date, "start": r.start, "end": r.end},
            "evidence": [s.to_dict() for s in evidence_of(proj, rec)]}


#: What a hop says when every source of its claim is low-reliability (docs/exposure.md).
LOW_RELIABILITY_WARNING = "this hop rests only on low-reliability sources"


def link_of(proj: Projection, rec: str) -> dict[str, Any]:
    """The kind of link a claim is, with its presence kind and the weight the kind adds."""
    r = proj.records[rec]
    kind = r.link_kind if r.kind == "supply" else r.kind
    out: dict[str, Any] = {"kind": kind, "label": kind.replace("-", " "),
                           "weight": r.link_weight}
    presence = proj.details(rec).get(SKG + "presenceKind")
    if presence:
        out["presence_kind"] = ref_dict(proj, presence[0].value)
        out["label"] = f"{out['label']} ({proj.label(presence[0].value)})"
    return out


def alternatives_of(proj: Projection, rec: str) -> dict[str, Any] | None:
    """``{products, text, note}`` when the claim names alternative products, else None."""
    alts = proj.supply_record(rec).alternatives
    if not alts:
        return None
    labels = [proj.label(a) for a in alts]
    text = ", ".join(labels[:-1]) + " and/or " + labels[-1] if len(labels) > 1 else labels[0]
    return {"products": [ref_dict(proj, a) for a in alts], "text": text,
            "note": _text(proj, rec, SKG + "alternativesNote")}


def reliability_of(proj: Projection, rec: str) -> dict[str, Any]:
    """How many of the claim's sources are low-reliability, and the warning when all are."""
    sources = evidence_of(proj, rec)
    low = sum(1 for s in sources if s.low_reliability)
    low_only = bool(sources) and low == len(sources)
    return {"sources": len(sources), "low_reliability_sources": low, "low_only": low_only,
            "warning": LOW_RELIABILITY_WARNING if low_only else None}
