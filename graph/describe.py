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

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.errors import UnknownEntity
from graph.namespaces import (
    DCTERMS,
    ID,
    ONTOLOGY_GRAPH,
    RDF_TYPE,
    RDFS,
    RDFS_LABEL,
    SKG,
    SKOS,
    local_id,
    rid,
    skg,
)
from graph.store import Store

Term = ox.NamedNode | ox.BlankNode | ox.Literal

#: Predicates whose values are names of the resource, in order of preference.
LABEL_PREDICATES = (RDFS_LABEL.value, SKOS + "prefLabel", DCTERMS + "title")
ALIAS_PREDICATES = (SKOS + "altLabel",)
CHINESE_NAME = SKG + "chineseName"

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


def _v(term: object) -> str:
    """The lexical value of a term (IRI, blank node id or literal text)."""
    return str(getattr(term, "value", term))


def safe_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL, else None: only these become links anywhere."""
    if value is None:
        return None
    v = value.strip()
    low = v.lower()
    if (low.startswith("http://") or low.startswith("https://")) and not any(
            c in v for c in "\"'<> \t\r\n"):
        return v
    return None


@dataclass
class Ref:
    """A reference to a resource: enough to link it and name it."""

    id: str
    iri: str
    label: str
    types: list[str] = field(default_factory=list)


@dataclass
class Text:
    value: str
    lang: str | None = None


@dataclass
class Property:
    """A literal-valued statement: ``predicate`` (IRI and label) and the value as text."""

    predicate: str
    name: str
    value: str
    datatype: str | None = None
    lang: str | None = None


@dataclass
class Link:
    """A plain resource-to-resource statement (not a claim record)."""

    predicate: str
    name: str
    target: Ref


@dataclass
class SourceInfo:
    """A source as evidence: title, publisher, date, kind and a link only when http(s)."""

    id: str
    iri: str
    title: str
    publisher: str | None = None
    date: str | None = None
    kind: str | None = None
    url: str | None = None
    raw_url: str | None = None
    low_reliability: bool = False


@dataclass
class Party:
    """One party of a claim: the role (predicate) and the resource."""

    role: str
    role_name: str
    entity: Ref
    side: str  # "from", "to" or "about"


@dataclass
class ResponseInfo:
    id: str
    iri: str
    respondent: Ref | None
    statement: str
    date: str | None
    responds_to: list[str]
    sources: list[SourceInfo]


@dataclass
class ClaimInfo:
    """A claim record the resource takes part in, with everything that backs it."""

    id: str
    iri: str
    label: str
    kind: str
    kind_label: str
    role: str
    role_name: str
    direction: str  # "out" (the resource is the from-side), "in" (to-side) or "about"
    parties: list[Party]
    properties: list[Property]
    confidence: Ref | None
    status: Ref | None
    sources: list[SourceInfo]
    responses: list[ResponseInfo]
    start: str | None = None
    end: str | None = None
    date: str | None = None
    statement: str | None = None


@dataclass
class Description:
    """Everything the graph states about one resource."""

    id: str
    iri: str
    label: str
    labels: list[Text]
    aliases: list[Text]
    chinese_names: list[Text]
    types: list[Ref]
    properties: list[Property]
    links_out: list[Link]
    links_in: list[Link]
    claims: list[ClaimInfo]
    sources: list[SourceInfo]
    responses: list[ResponseInfo]
    cited_by: list[Ref]
    is_claim: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- helpers


class _Labels:
    """Labels and types of many resources, fetched once per :func:`describe` call."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.labels: dict[str, str] = {}
        self.types: dict[str, list[str]] = {}

    def fetch(self, iris: Iterable[str]) -> None:
        todo = sorted({i for i in iris if i not in self.labels})
        for chunk in (todo[i:i + 400] for i in range(0, len(todo), 400)):
            values = " ".join(f"<{i}>" for i in chunk)
            q = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o . "
                 f"FILTER(?p IN (<{RDF_TYPE.value}>, "
                 + ", ".join(f"<{p}>" for p in LABEL_PREDICATES) + ")) }")
            found: dict[str, dict[str, list[ox.Literal]]] = {}
            result = self.store.query(q)
            assert isinstance(result, ox.QuerySolutions)
            for sol in result:
                s, p, o = sol["s"], sol["p"], sol["o"]
                assert isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode)
                if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                    self.types.setdefault(s.value, []).append(_v(o))
                elif isinstance(o, ox.Literal):
                    found.setdefault(s.value, {}).setdefault(p.value, []).append(o)
            for iri in chunk:
                self.labels[iri] = _pick_label(found.get(iri, {})) or _fallback_label(iri)
                self.types.setdefault(iri, [])
                self.types[iri] = sorted(set(self.types[iri]))

    def ref(self, iri: str) -> Ref:
        if iri not in self.labels:
            self.fetch([iri])
        return Ref(id=local_id(iri), iri=iri, label=self.labels[iri], types=self.types[iri])


def _pick_label(by_pred: dict[str, list[ox.Literal]]) -> str | None:
    for pred in LABEL_PREDICATES:
        lits = by_pred.get(pred, [])
        if lits:
            return _prefer_english(lits).value
    return None


def _prefer_english(lits: Sequence[ox.Literal]) -> ox.Literal:
    def key(lit: ox.Literal) -> tuple[int, str]:
        lang = lit.language or ""
        rank = 0 if lang.startswith("en") else 1 if not lang else 2
        return rank, lit.value
    return sorted(lits, key=key)[0]


def _fallback_label(iri: str) -> str:
    """A readable name for a resource without a label: the end of its IRI."""
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri


def _name(labels: _Labels, predicate: str) -> str:
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
    for q in store.quads(None, skg("exposureRole"), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            out[_v(q.subject)] = _v(q.object)
    return out


def _side(role: str | None, predicate: str) -> str:
    if role in _FROM_ROLES:
        return "from"
    if role in _TO_ROLES:
        return "to"
    return "about"


def _claim_classes(store: Store) -> frozenset[str]:
    """skg:Claim and its subclasses, read from the ontology (one query per description)."""
    q = f"SELECT ?t WHERE {{ ?t <{RDFS}subClassOf>* <{SKG}Claim> }}"
    result = store.query(q, default_graph=[ONTOLOGY_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    return frozenset(_v(sol["t"]) for sol in result)


# --------------------------------------------------------------------------- main


def resource_exists(store: Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return next(iter(store.quads(node, None, None, None)), None) is not None


def close_matches(store: Store, text: str, limit: int = 5) -> list[str]:
    """Local ids of resources closest to ``text`` (for "did you mean" on unknown ids)."""
    q = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{ID}\")) }}"
    result = store.query(q)
    assert isinstance(result, ox.QuerySolutions)
    ids = [local_id(str(sol["s"].value)) for sol in result if sol["s"] is not None]
    needle = text.strip().lower()
    hits = [i for i in ids if needle and needle in i.lower()]
    hits.sort(key=lambda i: (len(i), i))
    fuzzy = difflib.get_close_matches(needle, ids, n=limit, cutoff=0.5)
    out: list[str] = []
    for i in hits[:limit] + fuzzy:
        if i not in out:
            out.append(i)
    return out[:limit]


def describe(store: Store, ident: str) -> Description:
    """Describe the resource with local id (or full IRI) ``ident``.

    Raises :class:`UnknownEntity` with the closest ids when nothing is stated about it.
    """
    try:
        iri = ident if ident.startswith(("http://", "https://")) else rid(ident).value
        node = ox.NamedNode(iri)
    except ValueError:
        raise UnknownEntity(ident, close_matches(store, ident)) from None
    out_quads = _quads(store, subject=node)
    if not out_quads:
        raise UnknownEntity(ident, close_matches(store, ident))
    in_quads = _quads(store, obj=node)
    roles = _roles(store)
    labels = _Labels(store)

    # Claims this resource takes part in: subjects of incoming statements that are claims.
    subjects = {_v(q.subject) for q in in_quads if isinstance(q.subject, ox.NamedNode)}
    labels.fetch(subjects | {iri})
    claim_classes = _claim_classes(store)
    claim_iris = [s for s in sorted(subjects) if claim_classes & set(labels.types.get(s, []))
                  and SKG + "Response" not in labels.types.get(s, [])]
    claim_quads = {c: _quads(store, subject=ox.NamedNode(c)) for c in claim_iris}
    own_types = labels.types.get(iri, [])
    is_claim = bool(claim_classes & set(own_types))
    if is_claim:
        claim_quads[iri] = out_quads

    # Responses: to this resource's claims, by it, or about it.
    response_iris: set[str] = set()
    for c in list(claim_quads):
        for q in _quads(store, predicate=ox.NamedNode(_RESPONDS_TO), obj=ox.NamedNode(c)):
            response_iris.add(_v(q.subject))
    for q in in_quads:
        if q.predicate.value in (_RESPONDENT, _ABOUT, _RESPONDS_TO) and \
                SKG + "Response" in labels.types.get(_v(q.subject), []):
            response_iris.add(_v(q.subject))
    response_quads = {r: _quads(store, subject=ox.NamedNode(r)) for r in response_iris}

    # One label fetch for everything referenced.
    mentioned: set[str] = {q.predicate.value for q in out_quads + in_quads}
    for qs in [out_quads, *claim_quads.values(), *response_quads.values()]:
        for q in qs:
            mentioned.add(q.predicate.value)
            if isinstance(q.object, ox.NamedNode):
                mentioned.add(_v(q.object))
    labels.fetch(mentioned | set(claim_quads) | response_iris)

    evidence_iris = {_v(q.object) for qs in [*claim_quads.values(), *response_quads.values()]
                     for q in qs if q.predicate.value == _EVIDENCE}
    sources = _sources(store, evidence_iris, labels)

    responses_by_claim: dict[str, list[ResponseInfo]] = {}
    all_responses: list[ResponseInfo] = []
    for r in sorted(response_quads):
        info = _response(r, response_quads[r], labels, sources)
        all_responses.append(info)
        for target in info.responds_to:
            responses_by_claim.setdefault(rid(target).value if not target.startswith("http")
                                          else target, []).append(info)

    claims: list[ClaimInfo] = []
    for c in claim_iris:
        via = [q for q in in_quads if _v(q.subject) == c]
        for q in via:
            claims.append(_claim(c, claim_quads[c], q.predicate.value, roles, labels, sources,
                                 responses_by_claim.get(c, [])))
    claims.sort(key=lambda c: (_KIND_ORDER.get(c.kind, 9), c.direction, c.id))
    if is_claim:
        claims.insert(0, _claim(iri, out_quads, "", roles, labels, sources,
                                responses_by_claim.get(iri, [])))

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
            links_out.append(Link(p, _name(labels, p), labels.ref(_v(q.object))))
    links_in = [Link(q.predicate.value, _name(labels, q.predicate.value),
                     labels.ref(_v(q.subject)))
                for q in in_quads
                if isinstance(q.subject, ox.NamedNode) and _v(q.subject) not in claim_quads
                and _v(q.subject) not in response_iris]

    cited_by: list[Ref] = []
    if any(t.startswith(SKG) and labels.ref(t).label for t in own_types):
        cited_by = [labels.ref(_v(q.subject)) for q in in_quads
                    if q.predicate.value == _EVIDENCE]

    used_sources = sorted({s.iri for c in claims for s in c.sources}
                          | {s.iri for r in all_responses for s in r.sources})
    return Description(
        id=local_id(iri), iri=iri, label=labels.labels.get(iri) or _fallback_label(iri),
        labels=_sorted_texts(texts["label"]), aliases=_sorted_texts(texts["alias"]),
        chinese_names=_sorted_texts(texts["zh"]),
        types=[labels.ref(t) for t in own_types],
        properties=sorted(props, key=lambda p: (p.name, p.value)),
        links_out=sorted(links_out, key=lambda link: (link.name, link.target.label)),
        links_in=sorted(links_in, key=lambda link: (link.name, link.target.label)),
        claims=claims, sources=[sources[s] for s in used_sources if s in sources],
        responses=all_responses, cited_by=sorted(cited_by, key=lambda r: r.id),
        is_claim=is_claim)


def _sorted_texts(texts: list[Text]) -> list[Text]:
    return sorted(texts, key=lambda t: (t.lang or "", t.value))


def _sources(store: Store, iris: set[str], labels: _Labels) -> dict[str, SourceInfo]:
    out: dict[str, SourceInfo] = {}
    for s in sorted(iris):
        info = SourceInfo(id=local_id(s), iri=s, title=labels.ref(s).label)
        for q in _quads(store, subject=ox.NamedNode(s)):
            p, o = q.predicate.value, q.object
            if p == DCTERMS + "publisher":
                info.publisher = _v(o) if isinstance(o, ox.Literal) else labels.ref(_v(o)).label
            elif p == SKG + "date" and isinstance(o, ox.Literal):
                info.date = _v(o)
            elif p == SKG + "sourceKind" and isinstance(o, ox.Literal):
                info.kind = _v(o)
            elif p == _URL:
                info.raw_url = _v(o)
                info.url = safe_url(_v(o))
            elif p == SKG + "lowReliability" and isinstance(o, ox.Literal):
                info.low_reliability = _v(o) in ("true", "1")
        out[s] = info
    return out


def _response(iri: str, quads: list[ox.Quad], labels: _Labels,
              sources: dict[str, SourceInfo]) -> ResponseInfo:
    respondent: Ref | None = None
    statement = ""
    date: str | None = None
    to: list[str] = []
    srcs: list[SourceInfo] = []
    for q in quads:
        p, o = q.predicate.value, q.object
        if p == _RESPONDENT and isinstance(o, ox.NamedNode):
            respondent = labels.ref(_v(o))
        elif p == SKG + "statement" and isinstance(o, ox.Literal):
            statement = _v(o)
        elif p == SKG + "date" and isinstance(o, ox.Literal):
            date = _v(o)
        elif p == _RESPONDS_TO and isinstance(o, ox.NamedNode):
            to.append(local_id(_v(o)))
        elif p == _EVIDENCE and _v(o) in sources:
            srcs.append(sources[_v(o)])
    return ResponseInfo(id=local_id(iri), iri=iri, respondent=respondent, statement=statement,
                        date=date, responds_to=sorted(to), sources=srcs)


def _claim(iri: str, quads: list[ox.Quad], via: str, roles: dict[str, str], labels: _Labels,
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
            if _v(o) in sources:
                srcs.append(sources[_v(o)])
        elif p == _CONFIDENCE and isinstance(o, ox.NamedNode):
            confidence = labels.ref(_v(o))
        elif p == _STATUS and isinstance(o, ox.NamedNode):
            status = labels.ref(_v(o))
        elif isinstance(o, ox.NamedNode):
            parties.append(Party(p, _name(labels, p), labels.ref(_v(o)),
                                 _side(roles.get(p), p)))
        elif isinstance(o, ox.Literal):
            for key in ("startDate", "endDate", "date", "statement"):
                if p == SKG + key:
                    extra[key] = _v(o)
            if p not in LABEL_PREDICATES:
                props.append(Property(p, _name(labels, p), _v(o), _datatype(o), o.language))
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
