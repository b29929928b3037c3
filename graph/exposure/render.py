"""Plain-text rendering of exposure results for the CLI (``--format table``).

Wording follows the data: a hop is "supplied" or "takes part in", qualified by the claim's
status; nothing here says how the technology was used.
"""

from __future__ import annotations

import textwrap
from typing import Any

from graph.exposure.model import (
    Chokepoints,
    Exposure,
    Path,
    PathsBetween,
    Ranking,
    Suppliers,
    WhyNot,
)

_VERB = {"supply": "supplied", "via-in": "supplied, via", "via-out": "passed on to",
         "programme": "for programme", "participation": "takes part in"}
#: A market-presence hop (a listing, endorsement, ...) never says "supplied".
_PRESENCE_VERB = {"supply": "present among", "via-in": "present, via", "via-out": "present among"}


def _how(inherited: dict[str, Any]) -> str:
    if inherited["how"] == "direct":
        return "flagged directly"
    return f"by {inherited['how']}, from {inherited['from']['label']}"


def _wrap(text: str, width: int = 92) -> list[str]:
    return textwrap.wrap(text, width) if text else []


def _control(p: Path) -> str:
    today = f"control today: {p.control_status.status}"
    at = p.control_status_at_time
    if at is None:
        return today
    return (f"{today} ({p.control_status.regulation_label}); at the supply's date: {at.status}"
            f" ({at.regulation_label or 'regime unknown'})")


def path_lines(p: Path, n: int) -> list[str]:
    flag = "" if p.counts else "  [includes claims that do not count by default]"
    lines = [f"{n:>3}. score {p.score:.4f}  ({p.score_terms['hops']} hops; {_control(p)}){flag}"]
    if p.control_status_at_time is not None and p.control_status_at_time.note:
        lines.append(f"       supply date: {p.control_status_at_time.note}")
    labels = {x.id: x.label for x in p.nodes}
    for h in p.hops:
        status = h.status or "no status"
        tech = ", ".join(t["label"] for t in h.technology) or "technology not stated"
        if h.alternatives:
            tech = f"{h.alternatives['text']} (one or more; {tech})"
        verbs = _PRESENCE_VERB if h.link.get("kind") == "market-presence" else _VERB
        if h.link.get("kind") not in (None, "supply", "participation"):
            status = f"{h.link['label']}, {status}"
        when = h.date.get("date") or "-".join(x for x in (h.date.get("start"),
                                                           h.date.get("end")) if x) or "undated"
        lines.append(f"       {labels[h.from_]} -> {labels[h.to]}: {verbs.get(h.role, h.role)}"
                     f" ({status}, {h.confidence.label}, {when}; {tech}) [{h.relation['id']}]")
        if h.reliability.get("warning"):
            lines.append(f"         ! {h.reliability['warning']}")
        for s in h.evidence:
            lines.append(f"         source: {s.title} ({s.publisher or '?'}, {s.date or 'n.d.'})"
                         + (" [low reliability]" if s.low_reliability else "")
                         + (f" {s.url}" if s.url else ""))
        for r in h.responses:
            lines.append(f"         response: {r.respondent or '?'}: {r.statement or r.id}")
    inds = "; ".join(f"{r.indicator['label']} ({r.severity}, {_how(r.inherited)})"
                     for r in p.target.risk_indicators)
    places = " > ".join(pl.label for pl in p.target.places)
    lines.append(f"       target: {p.target.label}" + (f" [{places}]" if places else "")
                 + (f": {inds}" if inds else ""))
    return lines


def exposure_text(e: Exposure) -> str:
    out = [f"Exposure of {e.subject.label} ({e.subject.id}): score {e.score:.4f}",
           "group: " + ", ".join(f"{m.entity.label} ({m.relation})" for m in e.group),
           f"score = {e.score_terms['formula']}", "", *_wrap(e.summary), ""]
    out.append(f"{'target':<48} {'severity':>8} {'best path':>10} {'adds':>8} {'paths':>6}")
    for t in e.targets:
        out.append(f"{t.target.label[:48]:<48} {t.severity:>8.2f} {t.best_path:>10.4f} "
                   f"{t.contribution:>8.4f} {t.paths:>6}")
    out += ["", f"{e.total_paths} path(s){' (truncated)' if e.truncated else ''}; "
                f"{len(e.paths)} shown", e.wording, ""]
    for i, p in enumerate(e.paths, 1):
        out += path_lines(p, i)
    return "\n".join(out)


def suppliers_text(s: Suppliers) -> str:
    out = [f"Suppliers of {s.target.label} ({s.target.id})"]
    out += [f"  risk: {r.indicator['label']} ({r.severity})" for r in s.risk_indicators]
    out.append(f"{'supplier':<40} {'score':>8} {'paths':>6}  groups")
    for e in s.suppliers:
        out.append(f"{e.supplier.label[:40]:<40} {e.score:>8.4f} {e.paths:>6}  "
                   + ", ".join(g.label for g in e.groups))
    out.append("")
    for i, p in enumerate(s.paths, 1):
        out += path_lines(p, i)
    return "\n".join(out)


def paths_text(r: PathsBetween) -> str:
    out = [f"{r.total_paths} path(s) from {r.source.label} to {r.target.label}"
           f"{' (truncated)' if r.truncated else ''}"]
    for i, p in enumerate(r.paths, 1):
        out += path_lines(p, i)
    return "\n".join(out)


def chokepoints_text(c: Chokepoints) -> str:
    out = [f"{c.total_paths} exposure path(s) from {len(c.exporters)} exporter(s)", "",
           "intermediaries carrying most paths:"]
    out += [f"  {n['paths']:>6}  {n['label']} ({n['id']})" for n in c.nodes]
    out += ["", "relations carrying most paths:"]
    out += [f"  {r['paths']:>6}  {r['label']} ({r['id']})" for r in c.relations]
    out += ["", f"minimum cut: {c.cut_size} relation(s) whose removal cuts every path:"]
    for cut in c.min_cut:
        out.append(f"  {cut['from']} -> {cut['to']}: "
                   + ", ".join(r["id"] for r in cut["relations"]))
    return "\n".join(out)


def ranking_text(r: Ranking) -> str:
    """Organisations by exposure score, one line each, with their top risk target."""
    counted = ("all claims, unverified / alleged / disputed included"
               if r.filters.include_unverified else "claims that count by default")
    lines = [f"Organisations by exposure score ({counted}, up to {r.filters.max_hops} hops):"]
    for i, e in enumerate(r.entries, 1):
        top = f"  top target: {e.top_target.label}" if e.top_target else ""
        lines.append(f"{i:>3}. {e.subject.label} [{e.subject.id}]  score {e.score:.3f}  "
                     f"{e.targets} target(s), group of {e.group_size}{top}")
    if not r.entries:
        lines.append("  (no organisation reaches a risk target under these filters)")
    return "\n".join(lines)


def why_not_text(w: WhyNot) -> str:
    """The summary, then one line per reason with the relation it concerns."""
    lines = [f"{w.subject.label} -> {w.target.label}: {w.summary}"]
    for r in w.reasons:
        rel = r.get("relation")
        where = f" [{rel['id']}]" if isinstance(rel, dict) else ""
        lines.append(f"  - {r.get('reason')}: {r.get('detail', '')}{where}")
    return "\n".join(lines)
