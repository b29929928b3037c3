"""The exposure engine's results: plain dataclasses with a ``to_dict`` for JSON.

Every object the engine returns is one of these; the CLI prints them and the HTTP API
returns ``to_dict()`` unchanged, so the JSON shape is defined here and only here.
Identifiers: ``id`` is :func:`graph.namespaces.local_id` of the IRI; ``iri`` is always
given in full beside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from graph.lookup.refs import Ref

JSON = dict[str, Any]


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}
_SCALARS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready dicts and lists (a trailing ``_`` is dropped from keys,
    so ``from_`` serialises as ``from``)."""
    t = type(value)
    if t in _SCALARS:
        return value
    names = _FIELDS.get(t)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[t] = tuple((f.name.rstrip("_"), f.name)
                                   for f in dataclasses.fields(value))
    if names is not None:
        return {key: plain(getattr(value, name)) for key, name in names}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value


class ToDict:
    """Mixin: ``to_dict()`` via :func:`plain`."""

    def to_dict(self) -> JSON:
        out = plain(self)
        assert isinstance(out, dict)
        return out


@dataclass(frozen=True)
class Filters(ToDict):
    """What counts as exposure. The defaults are the documented ones (docs/exposure.md).

    ``as_of``: an ISO date, year-month or year; relations that started after it or ended
    before it are left out. ``min_confidence``: a confidence level (id, IRI, local name or
    label, compared by ``skg:rank``) or a number (compared with ``skg:weight``).
    ``technology``: a technology id or IRI; narrower concepts match. ``include_unverified``:
    also follow claims whose status does not count by default (they are marked).
    ``max_paths``: how many paths a result lists (scores always use every path).
    """

    max_hops: int = 4
    as_of: str | None = None
    min_confidence: str | float | None = None
    technology: str | None = None
    include_unverified: bool = False
    max_paths: int = 200

    @classmethod
    def from_options(cls, max_hops: int = 4, as_of: str | None = None,
                     min_confidence: str | None = None, technology: str | None = None,
                     include_unverified: bool = False, max_paths: int = 200) -> Filters:
        """The filters as the CLI, the API and the pages take them (text options): an empty
        text means "not set"; a numeric ``min_confidence`` is a weight. The one parser of
        exposure filters; checking them is :func:`graph.exposure.filters.resolve`'s job."""
        mc: str | float | None = (min_confidence or "").strip() or None
        if mc is not None:
            with contextlib.suppress(ValueError):
                mc = float(mc)
        return cls(max_hops=max_hops, as_of=(as_of or "").strip() or None, min_confidence=mc,
                   technology=(technology or "").strip() or None,
                   include_unverified=include_unverified, max_paths=max_paths)


#: Entities in results: the one reference type (``types`` are skg: local names here).
EntityRef = Ref


@dataclass(frozen=True)
class SourceRef(ToDict):
    """One source of a claim: what a reader needs to find and judge it."""

    id: str
    iri: str
    title: str | None
    publisher: str | None
    date: str | None
    url: str | None
    type: str | None
    low_reliability: bool = False
    archived_url: str | None = None


@dataclass(frozen=True)
class ResponseRef(ToDict):
    """A company response (skg:Response skg:respondsTo the claim)."""

    id: str
    iri: str
    respondent: str | None  #: every respondent's label, joined with ", "
    statement: str | None
    date: str | None
    evidence: list[SourceRef] = field(default_factory=list)
    respondents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Confidence(ToDict):
    level: str | None
    label: str | None
    weight: float
    rank: int


@dataclass(frozen=True)
class Hop(ToDict):
    """One step of an exposure path and the claim that carries it.

    ``role``: ``supply`` (supplier to recipient), ``via-in`` / ``via-out`` (to and from
    an intermediary of the same supply), ``programme`` (recipient to the programme the
    supply served, skg:forProgramme), ``participation`` (a skg:Participation record).
    ``counts``: False for a claim whose status does not count by default (shown only
    with include_unverified, and marked so).
    ``link``: the kind of link the hop rests on (``supply``, ``market-presence`` with its
    presence kind, ``participation``) and the weight that kind adds to the score.
    ``alternatives``: when the source names several products without saying which
    ("FaceReader and/or The Observer XT"), those products and the note; ``product`` is
    then None. ``reliability``: whether every source of the claim is low-reliability,
    with the warning to show (it does not change the score: docs/exposure.md).
    """

    from_: str
    to: str
    relation: JSON
    role: str
    product: JSON | None
    technology: list[JSON]
    date: JSON
    status: str | None
    counts: bool
    confidence: Confidence
    evidence: list[SourceRef]
    responses: list[ResponseRef]
    link: JSON = field(default_factory=dict)
    alternatives: JSON | None = None
    reliability: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class RiskHit(ToDict):
    """A risk indicator a target carries, the flag behind it and how it got there.

    ``inherited.how``: ``direct`` (flag on the target), ``location`` (flag on a place the
    target is in), ``participation`` (flag on a programme it takes part in).
    """

    indicator: JSON
    severity: float
    flag: JSON
    inherited: JSON


@dataclass(frozen=True)
class Target(ToDict):
    id: str
    iri: str
    label: str
    types: list[str]
    severity: float
    risk_indicators: list[RiskHit]
    places: list[EntityRef]


@dataclass(frozen=True)
class ControlStatus(ToDict):
    """Export-control treatment of a path's technologies under one regulation.

    ``status``: ``annex-i`` (some technology on the path is covered by an Annex I entry),
    ``catch-all-only`` (only the Article 5 catch-all reaches it), ``not-controlled``;
    at the supply's date also ``unknown`` (no single regime applied over its dates).
    ``basis``: ``today`` (the regulation in force now) or ``at-supply-date`` (the one in
    force when the path's first supply happened; ``note`` says how that date is known).
    """

    status: str
    regulation: str
    technologies: list[JSON]
    basis: str = "today"
    regulation_label: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Path(ToDict):
    nodes: list[EntityRef]
    hops: list[Hop]
    target: Target
    control_status: ControlStatus
    score: float
    score_terms: JSON
    counts: bool
    #: The control status under the regime in force at the first supply's date.
    control_status_at_time: ControlStatus | None = None
    #: One line per hop that rests only on low-reliability sources.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GroupMember(ToDict):
    """An organisation of the subject's group: ``relation`` is self, subsidiary or
    predecessor; ``via`` the ownership / succession records; ``valid`` the period in
    which it belongs to the group (None: open or unknown); ``records`` those records
    with their dates, confidence, status and sources (the ownership evidence)."""

    entity: EntityRef
    relation: str
    via: list[str]
    valid: JSON
    records: list[JSON] = field(default_factory=list)


@dataclass(frozen=True)
class TargetScore(ToDict):
    target: EntityRef
    severity: float
    best_path: float
    contribution: float
    paths: int


@dataclass(frozen=True)
class Exposure(ToDict):
    subject: EntityRef
    group: list[GroupMember]
    score: float
    score_terms: JSON
    filters: Filters
    targets: list[TargetScore]
    paths: list[Path]
    total_paths: int
    truncated: bool
    wording: str
    #: Without an as-of date: the score and targets as of today (``as_of``), so that a
    #: reader tells historic from current exposure. None when the filters set a date.
    current: JSON | None = None
    #: With score 0: why the nearest risk targets are not reached (see :class:`WhyNot`).
    nearest: list[WhyNot] = field(default_factory=list)
    #: A few sentences made from this result by :mod:`graph.exposure.summary`.
    summary: str = ""


@dataclass(frozen=True)
class RankingEntry(ToDict):
    subject: EntityRef
    score: float
    targets: int
    group_size: int
    top_target: EntityRef | None


@dataclass(frozen=True)
class Ranking(ToDict):
    filters: Filters
    entries: list[RankingEntry]


@dataclass(frozen=True)
class SupplierEntry(ToDict):
    supplier: EntityRef
    groups: list[EntityRef]
    score: float
    paths: int


@dataclass(frozen=True)
class Suppliers(ToDict):
    target: EntityRef
    risk_indicators: list[RiskHit]
    filters: Filters
    suppliers: list[SupplierEntry]
    paths: list[Path]
    total_paths: int
    truncated: bool


@dataclass(frozen=True)
class PathsBetween(ToDict):
    source: EntityRef
    target: EntityRef
    filters: Filters
    paths: list[Path]
    total_paths: int
    truncated: bool


@dataclass(frozen=True)
class Chokepoints(ToDict):
    """Where exposure concentrates: inner nodes and relations by the number of exposure
    paths through them, and a minimum set of relations whose removal cuts every path
    from ``exporters`` to the risk targets."""

    filters: Filters
    exporters: list[EntityRef]
    total_paths: int
    truncated: bool
    nodes: list[JSON]
    relations: list[JSON]
    min_cut: list[JSON]
    cut_size: int


@dataclass(frozen=True)
class WhyNot(ToDict):
    """Why ``subject`` has (or has no) exposure path to ``target`` under the filters."""

    subject: EntityRef
    target: EntityRef
    filters: Filters
    reachable: bool
    target_is_risk: bool
    reasons: list[JSON]
    summary: str
