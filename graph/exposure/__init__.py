"""The exposure engine: evidence-chain paths from an organisation's group to human-rights
risk targets, scored and explained (method: docs/exposure.md).

Pure functions over one :class:`graph.projection.Projection`::

    proj = ProjectionCache(store).get()
    exposure(proj, iri, Filters(max_hops=4))     -> Exposure
    ranking(proj, filters)                       -> Ranking
    suppliers(proj, iri, filters)                -> Suppliers
    paths_between(proj, a, b, filters)           -> PathsBetween
    chokepoints(proj, filters, exporters=None)   -> Chokepoints
    why_not(proj, org, target, filters)          -> WhyNot

Every result has ``to_dict()`` (the JSON the HTTP API returns).
"""

from graph.exposure.chokepoints import chokepoints
from graph.exposure.engine import exposure, paths_between, ranking, suppliers
from graph.exposure.filters import DECAY, MAX_HOPS_LIMIT
from graph.exposure.model import (
    Chokepoints,
    ControlStatus,
    EntityRef,
    Exposure,
    Filters,
    GroupMember,
    Hop,
    Path,
    PathsBetween,
    Ranking,
    RankingEntry,
    RiskHit,
    SourceRef,
    SupplierEntry,
    Suppliers,
    Target,
    TargetScore,
    WhyNot,
)
from graph.exposure.whynot import why_not

__all__ = [
    "DECAY", "MAX_HOPS_LIMIT", "Chokepoints", "ControlStatus", "EntityRef", "Exposure",
    "Filters", "GroupMember", "Hop", "Path", "PathsBetween", "Ranking", "RankingEntry",
    "RiskHit", "SourceRef", "SupplierEntry", "Suppliers", "Target", "TargetScore", "WhyNot",
    "chokepoints", "exposure", "paths_between", "ranking", "suppliers", "why_not",
]
