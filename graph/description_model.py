"""The shape of an entity description (:class:`Description` and its parts) and the label
lookups it is built with. :func:`graph.describe.describe` fills it in.

Source URLs become links only when they are http(s) (:func:`safe_url`): the one check
every page and API response relies on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.lookup.labels import LABEL_PREDICATES, fallback_label, pick_label
from graph.lookup.refs import Ref
from graph.namespaces import RDF_TYPE, SKG, SKOS, local_id
from graph.store import Store

Term = ox.NamedNode | ox.BlankNode | ox.Literal


ALIAS_PREDICATES = (SKOS + "altLabel",)


CHINESE_NAME = SKG + "chineseName"


def term_value(term: object) -> str:
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
    """A company response. A joint reply has several ``respondents`` (every one of them,
    by label); ``respondent`` is the first of them, kept for older clients: never show it
    alone."""

    id: str
    iri: str
    respondent: Ref | None
    statement: str
    date: str | None
    responds_to: list[str]
    sources: list[SourceInfo]
    respondents: list[Ref] = field(default_factory=list)


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
class KindCount:
    """How many claims of one kind (``Supply``) a resource takes part in."""

    kind: str
    label: str
    count: int


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
    #: How many claims (of the kind asked for) and incoming links there are before a page
    #: cuts them; ``claim_kinds`` counts every kind whatever the page.
    claims_total: int = 0
    claim_kinds: list[KindCount] = field(default_factory=list)
    links_in_total: int = 0
    cited_by_total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class LabelCache:
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
            # New lists, never appended in place: callers may hold a list handed out earlier.
            typed: dict[str, set[str]] = {}
            result = self.store.query(q)
            assert isinstance(result, ox.QuerySolutions)
            for sol in result:
                s, p, o = sol["s"], sol["p"], sol["o"]
                assert isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode)
                if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                    typed.setdefault(s.value, set()).add(term_value(o))
                elif isinstance(o, ox.Literal):
                    found.setdefault(s.value, {}).setdefault(p.value, []).append(o)
            for iri in chunk:
                self.labels[iri] = pick_label(
                    (p, lit) for p, lits in found.get(iri, {}).items() for lit in lits
                ) or fallback_label(iri)
                self.types[iri] = sorted(set(self.types.get(iri, ())) | typed.get(iri, set()))

    def fetch_types(self, iris: Iterable[str]) -> None:
        """Only the types of ``iris`` (one index lookup each): enough to tell responses apart."""
        for iri in iris:
            if iri not in self.types:
                self.types[iri] = sorted({term_value(q.object) for q in self.store.quads(
                    ox.NamedNode(iri), RDF_TYPE, None, None) if isinstance(q.object, ox.NamedNode)})

    def ref(self, iri: str) -> Ref:
        if iri not in self.labels:
            self.fetch([iri])
        return Ref(id=local_id(iri), iri=iri, label=self.labels[iri], types=self.types[iri])
