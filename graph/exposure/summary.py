"""Exposure in plain words: a few sentences made by templates from one result.

A due-diligence reader needs a sentence, not only a number: through which member of the
group the exposure comes and since when, what was reported as supplied to whom, why each
target counts as a risk, how strong the evidence is, what export control said, whether
it still holds today, and for a score of 0 why the nearest targets are not reached.

Every name, date and figure here is read from the :class:`Exposure` it summarises (a test
checks that); the words around them are fixed templates. The verbs follow the claims'
status ("is reported to have supplied", "is alleged to have supplied") and never say how
the technology was used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.exposure.model import Exposure, GroupMember, Hop, Path, WhyNot

#: The least certain status among a member's supplies picks the verb.
_VERBS = (("disputed", "is said, in disputed claims, to have supplied"),
          ("alleged", "is alleged to have supplied"),
          ("unverified", "is said, in unverified claims, to have supplied"),
          ("reported", "is reported to have supplied"),
          ("confirmed", "supplied"))
_HOW = {"direct": "flagged directly", "location": "by location, from {}",
        "participation": "by taking part in {}"}
_RELATION = {"self": "itself", "subsidiary": "its subsidiary",
             "predecessor": "its predecessor"}


def summarise(x: Exposure) -> str:
    """The sentences for ``x``, joined into one paragraph."""
    parts = _exposed(x) if x.targets else _not_exposed(x)
    return " ".join(p for p in parts if p)


#: Names a list spells out, and risk sentences a summary tells, before "and others": a
#: summary is read, not scanned (at 1M triples one exporter reaches hundreds of targets;
#: the page and the dossier list every one with its evidence).
MOST_NAMES = 12
MOST_RISK_SENTENCES = 6


def _list(items: Iterable[str]) -> str:
    """"a", "a and b", "a, b and c" (duplicates dropped, order kept); past
    :data:`MOST_NAMES`, the first of them "and others"."""
    xs = list(dict.fromkeys(i for i in items if i))
    if len(xs) > MOST_NAMES:
        return ", ".join(xs[:MOST_NAMES]) + " and others"
    if len(xs) <= 1:
        return "".join(xs)
    return ", ".join(xs[:-1]) + " and " + xs[-1]


def _num(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _period(m: GroupMember) -> str:
    """When ``m`` belongs to the group, from the dates of its ownership records (as
    recorded, e.g. "2015"), else from its computed periods."""
    starts = [d for r in m.records for d in (r["date"].get("start") or r["date"].get("date"),)
              if d]
    ends = [r["date"]["end"] for r in m.records if r["date"].get("end")]
    if not starts and not ends:
        periods = m.valid.get("periods", [])
        starts = [p["from"] for p in periods if p.get("from")]
        ends = [p["to"] for p in periods if p.get("to")]
    if starts and ends:
        return f" from {max(starts)} to {min(ends)}"
    if starts:
        return f" since {max(starts)}"
    if ends:
        return f" until {min(ends)}"
    return ""


def _member_phrase(x: Exposure, m: GroupMember) -> str:
    if m.relation == "self":
        return f"{x.subject.label}'s own claims"
    return f"{m.entity.label}, {_RELATION.get(m.relation, m.relation)}{_period(m)}"


def _sources(evidence: Iterable[dict[str, Any]]) -> str:
    return _list(f"{s.get('publisher') or s.get('title')}"
                 + (f" ({s['date']})" if s.get("date") else "") for s in evidence)


def _ownership(members: Iterable[GroupMember]) -> str:
    """The ownership and succession records behind the group, each once."""
    records = {r["id"]: r for m in members for r in m.records}
    recs = [f"{r['label']} ({r.get('status') or 'no status'}, {r['confidence']['label']}"
            + (f"; {_sources(r['evidence'])}" if r["evidence"] else "") + ")"
            for r in records.values()]
    return f"Group links on record: {'; '.join(recs)}." if recs else ""


def _starts(x: Exposure) -> dict[str, list[Path]]:
    by: dict[str, list[Path]] = {}
    for p in x.paths:
        by.setdefault(p.nodes[0].id, []).append(p)
    return by


def _dates(hops: list[Hop]) -> str:
    ds = sorted({d for h in hops for d in (h.date.get("date"), h.date.get("start"),
                                           h.date.get("end")) if d})
    if not ds:
        return "the claims are undated"
    return f"dated {ds[0]}" if len(ds) == 1 else f"dated {ds[0]} to {ds[-1]}"


def _verb(hops: list[Hop]) -> str:
    statuses = {h.status or "reported" for h in hops}
    for status, verb in _VERBS:
        if status in statuses:
            return verb
    return "is reported to have supplied"


def _route(x: Exposure) -> list[str]:
    members = {m.entity.id: m for m in x.group}
    starts = _starts(x)
    names = [_member_phrase(x, members[s]) for s in starts if s in members]
    head = (f"{x.subject.label} is exposed under these filters: score {_num(x.score)}, from "
            f"{len(x.targets)} risk target(s) reached by {x.total_paths} path(s).")
    out = [head, f"It comes through {_list(names)}." if names else ""]
    out.append(_ownership(members[s] for s in starts if s in members))
    for paths in starts.values():
        label = paths[0].nodes[0].label
        sales = [p for p in paths if not _presence(p.hops[0])]
        presence = [p for p in paths if _presence(p.hops[0])]
        if sales:
            first = [p.hops[0] for p in sales]
            out.append(f"{label} {_verb(first)} {_what(first)} on paths to "
                       f"{_list(p.target.label for p in sales)} ({_dates(first)}).")
        if presence:
            # A listing or an endorsement is not a sale: never "supplied" (docs/exposure.md).
            first = [p.hops[0] for p in presence]
            kinds = _list(sorted({h.link["presence_kind"]["label"] for h in first
                                  if h.link.get("presence_kind")})) or "market presence"
            out.append(f"{label} is recorded with a market presence ({kinds}; not a recorded "
                       f"sale) for {_what(first)} on paths to "
                       f"{_list(p.target.label for p in presence)} ({_dates(first)}).")
    return out


def _presence(hop: Hop) -> bool:
    return bool(hop.link.get("kind") == "market-presence")


def _what(first: list[Hop]) -> str:
    return _list([h.product["label"] for h in first if h.product]
                 + [t["label"] for h in first for t in h.technology]) or "technology"


def _risks(x: Exposure) -> list[str]:
    groups: dict[tuple[str, float, str], list[str]] = {}
    flags: dict[tuple[str, float, str], list[dict[str, Any]]] = {}
    for p in x.paths:
        for r in p.target.risk_indicators:
            how = _HOW.get(r.inherited["how"], "{}").format(r.inherited["from"]["label"])
            key = (r.indicator["label"], r.severity, how)
            groups.setdefault(key, []).append(p.target.label)
            flags.setdefault(key, []).extend(r.flag["evidence"])
    out = []
    for (ind, sev, how), targets in list(groups.items())[:MOST_RISK_SENTENCES]:
        src = _sources(flags[(ind, sev, how)])
        out.append(f"{_list(targets)}: risk indicator '{ind}' (severity {_num(sev)}), {how}"
                   + (f", on {src}" if src else "") + ".")
    if len(groups) > MOST_RISK_SENTENCES:
        out.append("Other targets carry risk indicators in the same ways; each is listed "
                   "with its evidence below.")
    return out


def _evidence(x: Exposure) -> list[str]:
    hops = [h for p in x.paths for h in p.hops if h.counts or x.filters.include_unverified]
    if not hops:
        return []
    strong = max(hops, key=lambda h: (h.confidence.rank, h.confidence.weight))
    weak = min(hops, key=lambda h: (h.confidence.rank, h.confidence.weight))

    def one(h: Hop) -> str:
        src = _sources(s.to_dict() for s in h.evidence)
        return (f"'{h.confidence.label}' (weight {_num(h.confidence.weight)}) for "
                f"{h.relation['label']}" + (f", from {src}" if src else ""))
    out = [f"Every claim on these paths has confidence '{strong.confidence.label}'."
           if strong.confidence.rank == weak.confidence.rank
           else f"Strongest evidence: {one(strong)}; weakest: {one(weak)}."]
    low = [s.title or s.id for h in hops for s in h.evidence if s.low_reliability]
    if low:
        out.append(f"Sources marked as of low reliability: {_list(low)}.")
    who = [w for h in hops for r in h.responses for w in (r.respondents or [r.respondent or ""])]
    if who:
        out.append(f"Replies on record from {_list(who)}; each is shown beside the claim it "
                   "answers.")
    if any(not p.counts for p in x.paths):
        out.append("Some paths rest on unverified, alleged or disputed claims; they are "
                   "shown because the filters include them.")
    return out


def _control(x: Exposure) -> str:
    rows = {t["technology"]["label"]: t for p in x.paths for t in p.control_status.technologies}
    if not rows:
        return "No hop names a technology, so the export-control status is unknown."
    regs = _list(p.control_status.regulation_label or "" for p in x.paths)
    where = f" under {regs} (today)" if regs else " today"

    def entries(t: dict[str, Any], kind: str) -> str:
        return _list(e["label"] for e in t["entries"] if e.get("kind") == kind)
    listed = [f"{lab} is covered by Annex I ({entries(t, 'annex-i')})"
              for lab, t in rows.items() if t["status"] == "annex-i"]
    catch = [f"{lab} is reached only by the catch-all ({entries(t, 'catch-all')})"
             for lab, t in rows.items() if t["status"] == "catch-all-only"]
    free = [lab for lab, t in rows.items() if t["status"] == "not-controlled"]
    out = []
    if listed or catch:
        out.append(f"Export control{where}: {_list(listed + catch)}.")
    if free:
        out.append(f"No Annex I entry or catch-all clause{where} covers {_list(free)} "
                   "(not-controlled).")
    then: dict[tuple[str, str], list[str]] = {}
    for p in x.paths:
        at = p.control_status_at_time
        if at is not None and at.regulation_label:
            key = (at.regulation_label, at.status)
            then.setdefault(key, []).extend(t["technology"]["label"] for t in at.technologies)
    for (reg, status), techs in then.items():
        out.append(f"At the supplies' dates, under {reg}: {_list(techs)} ({status}).")
    return " ".join(out)


def _time(x: Exposure) -> str:
    if x.filters.as_of:
        return f"These figures hold as of {x.filters.as_of}."
    cur = x.current
    if not cur:
        return ""
    undated = any(not any(h.date.values()) for p in x.paths for h in p.hops)
    tail = " Undated claims count at any date." if undated else ""
    now = [t["label"] for t in cur["targets"]]
    if not now:
        return (f"As of {cur['as_of']} none of these targets is reached: the exposure is "
                f"historic.{tail}")
    if len(now) == len(x.targets) and cur["score"] == x.score:
        return (f"As of {cur['as_of']} the same {len(now)} target(s) are reached (score "
                f"{_num(cur['score'])}): the exposure is current.{tail}")
    return (f"As of {cur['as_of']} {len(now)} of these targets are still reached (score "
            f"{_num(cur['score'])}): {_list(now)}; the rest rests on relations that had "
            f"ended.{tail}")


def _exposed(x: Exposure) -> list[str]:
    return [*_route(x), *_risks(x), *_evidence(x), _control(x), _time(x), x.wording]


def _why(w: WhyNot) -> str:
    details = []
    for r in w.reasons:
        rel = r.get("relation")
        details.append(str(r.get("detail", r.get("reason")))
                       + (f" ({rel['label']})" if isinstance(rel, dict) else ""))
    return f"{w.target.label}: {_list(details)}."


def _not_exposed(x: Exposure) -> list[str]:
    group = [_member_phrase(x, m) for m in x.group if m.relation != "self"]
    out = [f"{x.subject.label} has no exposure path to a risk target under these filters "
           f"(score {_num(x.score)}).",
           f"Its group under these filters: {_list(group)}." if group else ""]
    out.append(_ownership(x.group))
    if x.nearest:
        out.append("Why the nearest risk targets are not reached:")
        out += [_why(w) for w in x.nearest]
    else:
        out.append("No chain of supply claims leads from its group to a risk target, "
                   "whatever the filters.")
    return out
