"""Pydantic response models of the JSON API (they make the OpenAPI schema at ``/docs``).

They mirror the core's result dataclasses field for field and are filled from them with
``from_attributes``; the core stays free of pydantic and the API never reshapes data.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Ref(_Model):
    """A resource: its URL-safe ``id`` (use it in /api paths), full ``iri`` and label."""

    id: str
    iri: str
    label: str
    types: list[str] = []


class Text(_Model):
    value: str
    lang: str | None = None


class Property(_Model):
    predicate: str
    name: str
    value: str
    datatype: str | None = None
    lang: str | None = None


class Link(_Model):
    predicate: str
    name: str
    target: Ref


class SourceInfo(_Model):
    """A source. ``url`` is set only for http(s) URLs; ``raw_url`` is the stored text."""

    id: str
    iri: str
    title: str
    publisher: str | None = None
    date: str | None = None
    kind: str | None = None
    url: str | None = None
    raw_url: str | None = None
    low_reliability: bool = False


class Party(_Model):
    role: str
    role_name: str
    entity: Ref
    side: str = Field(description="from, to or about")


class ResponseInfo(_Model):
    id: str
    iri: str
    respondent: Ref | None
    statement: str
    date: str | None
    responds_to: list[str]
    sources: list[SourceInfo]


class ClaimInfo(_Model):
    """A claim record (supply, ownership, ...) with its parties and evidence."""

    id: str
    iri: str
    label: str
    kind: str
    kind_label: str
    role: str
    role_name: str
    direction: str = Field(description="out, in or about (relative to the described entity)")
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


class KindCount(_Model):
    kind: str
    label: str
    count: int


class Entity(_Model):
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
    claims_total: int = 0
    claim_kinds: list[KindCount] = []
    links_in_total: int = 0
    cited_by_total: int = 0


class SearchHit(_Model):
    id: str
    iri: str
    label: str
    types: list[str]
    snippet: str


class Suggestion(_Model):
    id: str
    iri: str
    label: str
    types: list[str]


class SearchPage(_Model):
    results: list[SearchHit]
    total: int
    limit: int
    offset: int
    suggestions: list[Suggestion] = []


class ErrorBody(BaseModel):
    """Every error: its kind, a message, and for 404 the closest ids, for 422 the field."""

    error: str
    detail: Any
    candidates: list[str] | None = None
    field: str | None = None


class GraphNode(_Model):
    id: str
    iri: str
    label: str
    type: str
    attrs: dict[str, Any] = {}


class GraphEdge(_Model):
    source: str
    target: str
    kind: str
    claim: str | None = None
    attrs: dict[str, Any] = {}


class GraphJson(_Model):
    """A subgraph as plain JSON (``format=json``)."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = False
    total_nodes: int = 0


class _Open(BaseModel):
    """The engine's ``to_dict()``: the documented fields are typed, the rest passes through."""

    model_config = ConfigDict(extra="allow")


class EntityRef(_Open):
    id: str
    iri: str
    label: str


class ExposureOut(_Open):
    """``survkg exposure --format json``: the subject's group, score and its terms, the risk
    targets and the evidence-chain paths (every hop with its sources)."""

    subject: EntityRef
    score: float
    score_terms: dict[str, Any]
    filters: dict[str, Any]
    paths: list[dict[str, Any]]
    total_paths: int
    truncated: bool
    offset: int = 0


class SuppliersOut(_Open):
    target: EntityRef
    suppliers: list[dict[str, Any]]
    paths: list[dict[str, Any]]
    total_paths: int
    truncated: bool
    offset: int = 0


class PathsOut(_Open):
    source: EntityRef
    target: EntityRef
    paths: list[dict[str, Any]]
    total_paths: int
    truncated: bool
    offset: int = 0


class ChokepointsOut(_Open):
    exporters: list[EntityRef]
    total_paths: int
    nodes: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    min_cut: list[dict[str, Any]]
    cut_size: int


class RankingOut(_Open):
    filters: dict[str, Any]
    entries: list[dict[str, Any]]
    total: int


class ShortestPath(BaseModel):
    source: str
    target: str
    found: bool
    nodes: list[str]
    labels: list[str]
    edges: list[str]
    view: dict[str, Any]
