"""Pydantic models of the JSON API's envelopes (they make the OpenAPI schema at ``/docs``).

An entity description is the core's own dataclass (``graph.description_model``), used as
the response model directly: the schema shows the real types and there is no mirror to
drift. The exposure results are the engine's ``to_dict()`` (their JSON keys differ from
Python names, e.g. ``from``), typed here where the documented fields are; the core stays
free of pydantic and the API never reshapes data.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


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
    summary: str = Field("", description="A few sentences made from this result: route, "
                         "targets and why, evidence, control status, today vs. ever")
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
    direction: str = Field(default="any", description="forward (along the relations), "
                           "backward (target to source), any (ignoring direction) or none")
    view: dict[str, Any]
