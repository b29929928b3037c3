"""What the graph knows about one resource: the core of entity pages and ``/api/entities``.

:func:`describe` is a pure function over a :class:`~graph.store.Store`: labels, aliases
(Chinese names apart), types, literal properties, plain links in and out, and every
*claim* the resource takes part in (supplies, ownership, succession, participation, risk
flags, findings...) as a whole record: each party with its role, product, technology,
dates, confidence, status, the sources that evidence it and the company responses to it.

The API and the pages both render this one object, so what a reader sees on a page is
exactly what a script gets from the API. Text from the data is returned as data; it is
the caller's job to show it as text. Source URLs are only passed on as links when they
are http(s) (:func:`safe_url`).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import pyoxigraph as ox

from graph.description_model import (
    ALIAS_PREDICATES,
    CHINESE_NAME,
    ClaimInfo,
    Description,
    KindCount,
    LabelCache,
    Link,
    Party,
    Property,
    ResponseInfo,
    SourceInfo,
    Text,
    safe_url,
    term_value,
)
from graph.entities import NameIndex, resolve_iri
from graph.lookup import LABEL_PREDICATES, Ref, fallback_label
from graph.namespaces import (
    DCTERMS,
    ONTOLOGY_GRAPH,
    RDF_TYPE,
    SKG,
    iri_of,
    local_id,
    skg,
)
from graph.queries import subclasses_of
from graph.store import Store

__all__ = ["Description", "describe", "safe_url"]

#: Claim roles whose party is the upstream ("from") end of a claim's edge.
_FROM_ROLES = {SKG + r for r in ("SupplyFrom", "OwnershipParent", "SuccessionFrom",
                                 "ParticipationMember", "FlagTarget")}
#: Claim roles whose party is the downstream ("to") end.
_TO_ROLES = {SKG + r for r in ("SupplyTo", "SupplyVia", "SupplyProgramme", "OwnershipChild",
                               "SuccessionTo", "ParticipationProgramme", "FlagIndicator")}

#: Order of claim kinds on a page: the supply chain first, findings last.
_KIND_ORDER = {"Supply": 0, "Ownership": 1, "Succession": 2, "Participation": 3, "RiskFlag": 4,
               "ControlClassification": 5, "Finding": 8}

_EVIDENCE = SKG + "evidence"
_CONFIDENCE = SKG + "confidence"
_STATUS = SKG + "status"
_RESPONDS_TO = SKG + "respondsTo"
_RESPONDENT = SKG + "respondent"
_ABOUT = SKG + "about"
_URL = SKG + "url"


# --------------------------------------------------------------------------- helpers


def _name(labels: LabelCache, predicate: str) -> str:
    """A property's label (from the ontology) or its local name."""
    return labels.ref(predicate).label


def _lit_text(lit: ox.Literal) -> str:
    return lit.value


def _datatype(lit: ox.Literal) -> str | None:
    dt = lit.datatype.value
    if lit.language or dt.endswith("#string") or dt.endswith("#langString"):
        return None
    return dt


def _quads(store: Store, subject: ox.NamedNode | None = None,
           predicate: ox.NamedNode | None = None,
           obj: ox.NamedNode | None = None) -> list[ox.Quad]:
    """Quads of a pattern, deduplicated across named graphs (seeds, user graphs...)."""
    seen: set[tuple[Any, Any, Any]] = set()
    out: list[ox.Quad] = []
    for q in store.quads(subject, predicate, obj, None):
        key = (q.subject, q.predicate, q.object)
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


def _roles(store: Store) -> dict[str, str]:
    """Predicate IRI -> exposure role IRI, read from the ontology's annotations."""
    out: dict[str, str] = {}
    for q in store.quads(None, skg("exposureRole"), None, ONTOLOGY_GRAPH):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            out[term_value(q.subject)] = term_value(q.object)
    return out


def _side(role: str | None, predicate: str) -> str:
    if role in _FROM_ROLES:
        return "from"
    if role in _TO_ROLES:
        return "to"
    return "about"


def _claim_classes(store: Store) -> frozenset[str]:
    """skg:Claim and its subclasses, read from the ontology (one query per description)."""
    return subclasses_of(store, SKG + "Claim")


_KINDS: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, str]]] = \
    weakref.WeakKeyDictionary()
_KINDS_LOCK = threading.Lock()


def _claim_kinds(store: Store, claim_classes: frozenset[str]) -> dict[str, str]:
    """Claim IRI -> its kind (``Supply``), once per store version: an entity page then
    tells its claims from its other neighbours by lookup, not by one type query per
    neighbour (thousands for a busy exporter). Responses are left out (listed apart)."""
    with _KINDS_LOCK:
        got = _KINDS.get(store)
        if got is not None and got[0] == store.version:
            return got[1]
        version = store.version
        types: dict[str, set[str]] = {}
        for cls in claim_classes:
            for q in store.quads(None, RDF_TYPE, ox.NamedNode(cls), None):
                if isinstance(q.subject, ox.NamedNode):
                    types.setdefault(q.subject.value, set()).add(cls)
        for q in store.quads(None, RDF_TYPE, ox.NamedNode(SKG + "Response"), None):
            types.pop(term_value(q.subject), None)
        kinds = {s: local_id(sorted(ts)[0]).removeprefix(SKG) for s, ts in types.items()}
        _KINDS[store] = (version, kinds)
        return kinds


# --------------------------------------------------------------------------- main


def describe(store: Store, ident: str, index: NameIndex | None = None, *,
             limit: int | None = None, offset: int = 0,
             kind: str | None = None, per_kind: int | None = None,
             links_limit: int | None = None) -> Description:
    """Describe the resource with local id, full IRI or exact name ``ident`` (resolved by
    :func:`graph.entities.resolve_iri`, from ``index`` when given).

    Claims are listed (kind, direction, id) and only the requested page is built: ``kind``
    keeps one kind (``Supply``), ``offset``/``limit`` page what is left, ``per_kind`` keeps
    the first few of every kind (the overview of an entity page). ``claim_kinds`` counts
    every kind whatever the page, and ``links_limit`` caps the incoming links and the
    "cited by" list (their totals are kept). A busy exporter at a million triples has
    thousands of supplies: building each one's record only to drop it after paging was
    the cost of its page.

    Raises :class:`UnknownEntity` with the closest ids when nothing is stated about it.
    """
    iri = resolve_iri(store, ident, index, exact=True)
    node = ox.NamedNode(iri)
    out_quads = _quads(store, subject=node)
    in_quads = _quads(store, obj=node)
    roles = _roles(store)
    labels = LabelCache(store)

    # Claims this resource takes part in: subjects of incoming statements that are claims.
    # The incoming quads are grouped by subject once (not rescanned per claim).
    via_of: dict[str, list[str]] = {}
    for q in in_quads:
        if isinstance(q.subject, ox.NamedNode):
            via_of.setdefault(term_value(q.subject), []).append(q.predicate.value)
    claim_classes = _claim_classes(store)
    kinds_of = _claim_kinds(store, claim_classes)
    entries: list[tuple[tuple[int, str, str], str, str, str]] = []
    for s in sorted(via_of):
        k = kinds_of.get(s)
        if k is None:
            continue
        for via in via_of[s]:
            side = _side(roles.get(via), via)
            direction = {"from": "out", "to": "in"}.get(side, "about")
            entries.append(((_KIND_ORDER.get(k, 9), direction, local_id(s)), s, via, k))
    entries.sort()
    claim_set = {e[1] for e in entries}
    counts: dict[str, int] = {}
    for e in entries:
        counts[e[3]] = counts.get(e[3], 0) + 1
    chosen = [e for e in entries if kind is None or e[3] == kind]
    if per_kind is not None:
        seen: dict[str, int] = {}
        picked = []
        for e in chosen:
            seen[e[3]] = seen.get(e[3], 0) + 1
            if seen[e[3]] <= per_kind:
                picked.append(e)
        chosen = picked
    claims_total = len(chosen)
    chosen = chosen[offset:] if limit is None else chosen[offset: offset + limit]
    claim_quads = {c: _quads(store, subject=ox.NamedNode(c)) for c in {e[1] for e in chosen}}
    labels.fetch_types({term_value(q.subject) for q in in_quads
                        if q.predicate.value in (_RESPONDENT, _ABOUT, _RESPONDS_TO)} | {iri})
    own_types = labels.types.get(iri, [])
    is_claim = bool(claim_classes & set(own_types))
    if is_claim:
        claim_quads[iri] = out_quads

    # Responses: to the listed claims, by this resource, or about it.
    response_iris: set[str] = set()
    for c in list(claim_quads):
        for q in _quads(store, predicate=ox.NamedNode(_RESPONDS_TO), obj=ox.NamedNode(c)):
            response_iris.add(term_value(q.subject))
    for q in in_quads:
        if q.predicate.value in (_RESPONDENT, _ABOUT, _RESPONDS_TO) and \
                SKG + "Response" in labels.types.get(term_value(q.subject), []):
            response_iris.add(term_value(q.subject))
    response_quads = {r: _quads(store, subject=ox.NamedNode(r)) for r in response_iris}

    # Plain incoming links (not claims, not responses), paged like the claims.
    link_quads = [q for q in in_quads if isinstance(q.subject, ox.NamedNode)
                  and term_value(q.subject) not in claim_set
                  and term_value(q.subject) not in response_iris
                  and not (is_claim and term_value(q.subject) == iri)]
    link_quads.sort(key=lambda q: (q.predicate.value, term_value(q.subject)))
    links_in_total = len(link_quads)
    evidence_in = [q for q in in_quads if q.predicate.value == _EVIDENCE]
    cited_total = len(evidence_in)
    if links_limit is not None:
        link_quads = link_quads[:links_limit]
        evidence_in = evidence_in[:links_limit]

    # One label fetch for everything referenced.
    mentioned: set[str] = {q.predicate.value for q in out_quads + link_quads}
    mentioned |= {term_value(q.subject) for q in link_quads + evidence_in}
    for qs in [out_quads, *claim_quads.values(), *response_quads.values()]:
        for q in qs:
            mentioned.add(q.predicate.value)
            if isinstance(q.object, ox.NamedNode):
                mentioned.add(term_value(q.object))
    mentioned |= {e[2] for e in chosen}
    labels.fetch(mentioned | set(claim_quads) | response_iris | {iri})

    evidence_iris = {term_value(q.object)
                     for qs in [*claim_quads.values(), *response_quads.values()]
                     for q in qs if q.predicate.value == _EVIDENCE}
    sources = _sources(store, evidence_iris, labels)

    responses_by_claim: dict[str, list[ResponseInfo]] = {}
    all_responses: list[ResponseInfo] = []
    for r in sorted(response_quads):
        info = _response(r, response_quads[r], labels, sources)
        all_responses.append(info)
        for target in info.responds_to:
            responses_by_claim.setdefault(iri_of(target), []).append(info)

    claims = [_claim(c, claim_quads[c], via, roles, labels, sources,
                     responses_by_claim.get(c, [])) for _, c, via, _ in chosen]
    if is_claim:
        claims.insert(0, _claim(iri, out_quads, "", roles, labels, sources,
                                responses_by_claim.get(iri, [])))
    kinds = [KindCount(k, labels.ref(SKG + k).label, n)
             for k, n in sorted(counts.items(), key=lambda kv: (_KIND_ORDER.get(kv[0], 9),
                                                                 kv[0]))]

    props: list[Property] = []
    links_out: list[Link] = []
    texts: dict[str, list[Text]] = {"label": [], "alias": [], "zh": []}
    for q in out_quads:
        p = q.predicate.value
        if isinstance(q.object, ox.Literal):
            lit = q.object
            if p in LABEL_PREDICATES:
                texts["label"].append(Text(lit.value, lit.language))
            elif p in ALIAS_PREDICATES:
                texts["alias"].append(Text(lit.value, lit.language))
            elif p == CHINESE_NAME:
                texts["zh"].append(Text(lit.value, lit.language))
            else:
                props.append(Property(p, _name(labels, p), _lit_text(lit), _datatype(lit),
                                      lit.language))
        elif isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE and not is_claim:
            links_out.append(Link(p, _name(labels, p), labels.ref(term_value(q.object))))
    links_in = [Link(q.predicate.value, _name(labels, q.predicate.value),
                     labels.ref(term_value(q.subject))) for q in link_quads]

    cited_by: list[Ref] = []
    if any(t.startswith(SKG) and labels.ref(t).label for t in own_types):
        cited_by = [labels.ref(term_value(q.subject)) for q in evidence_in]

    used_sources = sorted({s.iri for c in claims for s in c.sources}
                          | {s.iri for r in all_responses for s in r.sources})
    return Description(
        id=local_id(iri), iri=iri, label=labels.labels.get(iri) or fallback_label(iri),
        labels=_sorted_texts(texts["label"]), aliases=_sorted_texts(texts["alias"]),
        chinese_names=_sorted_texts(texts["zh"]),
        types=[labels.ref(t) for t in own_types],
        properties=sorted(props, key=lambda p: (p.name, p.value)),
        links_out=sorted(links_out, key=lambda link: (link.name, link.target.label)),
        links_in=links_in if links_limit is not None and links_in_total > links_limit
        else sorted(links_in, key=lambda link: (link.name, link.target.label)),
        claims=claims, sources=[sources[s] for s in used_sources if s in sources],
        responses=all_responses, cited_by=sorted(cited_by, key=lambda r: r.id),
        is_claim=is_claim, claims_total=claims_total, claim_kinds=kinds,
        links_in_total=links_in_total, cited_by_total=cited_total)


def _sorted_texts(texts: list[Text]) -> list[Text]:
    return sorted(texts, key=lambda t: (t.lang or "", t.value))


def _sources(store: Store, iris: set[str], labels: LabelCache) -> dict[str, SourceInfo]:
    out: dict[str, SourceInfo] = {}
    for s in sorted(iris):
        info = SourceInfo(id=local_id(s), iri=s, title=labels.ref(s).label)
        for q in _quads(store, subject=ox.NamedNode(s)):
            p, o = q.predicate.value, q.object
            if p == DCTERMS + "publisher":
                info.publisher = (term_value(o) if isinstance(o, ox.Literal)
                                  else labels.ref(term_value(o)).label)
            elif p == SKG + "date" and isinstance(o, ox.Literal):
                info.date = term_value(o)
            elif p == SKG + "sourceKind" and isinstance(o, ox.Literal):
                info.kind = term_value(o)
            elif p == _URL:
                info.raw_url = term_value(o)
                info.url = safe_url(term_value(o))
            elif p == SKG + "lowReliability" and isinstance(o, ox.Literal):
                info.low_reliability = term_value(o) in ("true", "1")
        out[s] = info
    return out


def _response(iri: str, quads: list[ox.Quad], labels: LabelCache,
              sources: dict[str, SourceInfo]) -> ResponseInfo:
    respondents: list[Ref] = []
    statement = ""
    date: str | None = None
    to: list[str] = []
    srcs: list[SourceInfo] = []
    for q in quads:
        p, o = q.predicate.value, q.object
        if p == _RESPONDENT and isinstance(o, ox.NamedNode):
            respondents.append(labels.ref(term_value(o)))
        elif p == SKG + "statement" and isinstance(o, ox.Literal):
            statement = term_value(o)
        elif p == SKG + "date" and isinstance(o, ox.Literal):
            date = term_value(o)
        elif p == _RESPONDS_TO and isinstance(o, ox.NamedNode):
            to.append(local_id(term_value(o)))
        elif p == _EVIDENCE and term_value(o) in sources:
            srcs.append(sources[term_value(o)])
    respondents.sort(key=lambda r: (r.label, r.id))
    return ResponseInfo(id=local_id(iri), iri=iri,
                        respondent=respondents[0] if respondents else None,
                        statement=statement, date=date, responds_to=sorted(to), sources=srcs,
                        respondents=respondents)


def _claim(iri: str, quads: list[ox.Quad], via: str, roles: dict[str, str], labels: LabelCache,
           sources: dict[str, SourceInfo], responses: list[ResponseInfo]) -> ClaimInfo:
    types = [t for t in labels.types.get(iri, []) if t.startswith(SKG)]
    kind = types[0] if types else SKG + "Claim"
    parties: list[Party] = []
    props: list[Property] = []
    confidence = status = None
    srcs: list[SourceInfo] = []
    extra: dict[str, str] = {}
    for q in quads:
        p, o = q.predicate.value, q.object
        if p == RDF_TYPE.value:
            continue
        if p == _EVIDENCE and isinstance(o, ox.NamedNode):
            if term_value(o) in sources:
                srcs.append(sources[term_value(o)])
        elif p == _CONFIDENCE and isinstance(o, ox.NamedNode):
            confidence = labels.ref(term_value(o))
        elif p == _STATUS and isinstance(o, ox.NamedNode):
            status = labels.ref(term_value(o))
        elif isinstance(o, ox.NamedNode):
            parties.append(Party(p, _name(labels, p), labels.ref(term_value(o)),
                                 _side(roles.get(p), p)))
        elif isinstance(o, ox.Literal):
            for key in ("startDate", "endDate", "date", "statement"):
                if p == SKG + key:
                    extra[key] = term_value(o)
            if p not in LABEL_PREDICATES:
                props.append(Property(p, _name(labels, p), term_value(o), _datatype(o), o.language))
    side = _side(roles.get(via), via) if via else "about"
    direction = {"from": "out", "to": "in"}.get(side, "about")
    parties.sort(key=lambda pt: ({"from": 0, "to": 1}.get(pt.side, 2), pt.role_name,
                                 pt.entity.label))
    return ClaimInfo(
        id=local_id(iri), iri=iri, label=labels.ref(iri).label,
        kind=local_id(kind).removeprefix(SKG),
        kind_label=labels.ref(kind).label, role=via, role_name=_name(labels, via) if via else "",
        direction=direction, parties=parties,
        properties=sorted(props, key=lambda p: p.name), confidence=confidence, status=status,
        sources=sorted(srcs, key=lambda s: s.id), responses=responses,
        start=extra.get("startDate"), end=extra.get("endDate"), date=extra.get("date"),
        statement=extra.get("statement"))
