"""What routes and pages share, as FastAPI dependencies: the store, the settings, the
exposure projection, the display view, the name index, the exposure filters and the one
way to turn an id or name in a URL into an IRI.

The projection, view and name index are derived from the store and rebuilt when its
version changes: :func:`install` puts one :class:`~graph.versioned.VersionCache` of each on
``app.state`` (no module state), and the view is drawn from the same projection the engine
reads, so a page, the JSON API and the drawing always show one result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import networkx as nx
from fastapi import Depends, FastAPI, Query, Request

from api.settings import Settings
from graph.entities import NameIndex, build_index, resolve_iri
from graph.export_graph import ViewCache
from graph.exposure import MAX_HOPS_LIMIT, Filters
from graph.projection import Projection, ProjectionCache
from graph.store import Store
from graph.versioned import VersionCache


def install(app: FastAPI, store: Store) -> None:
    """One cache per derived object of ``store``, on ``app.state``."""
    app.state.projections = ProjectionCache(store)
    app.state.views = ViewCache(store, app.state.projections)
    app.state.names = VersionCache(store, build_index)


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_projection(request: Request) -> Projection:
    proj: Projection = request.app.state.projections.get()
    return proj


def get_view(request: Request) -> nx.MultiDiGraph:  # type: ignore[type-arg]
    view: nx.MultiDiGraph = request.app.state.views.get()  # type: ignore[type-arg]
    return view


def get_names(request: Request) -> NameIndex:
    names: NameIndex = request.app.state.names.get()
    return names


StoreDep = Annotated[Store, Depends(get_store)]
ProjectionDep = Annotated[Projection, Depends(get_projection)]
if TYPE_CHECKING:
    ViewDep = Annotated[nx.MultiDiGraph[str], Depends(get_view)]
else:  # networkx's classes cannot be subscripted at run time
    ViewDep = Annotated[nx.MultiDiGraph, Depends(get_view)]
NamesDep = Annotated[NameIndex, Depends(get_names)]


def resolve_id(store: Store, names: NameIndex, ident: str) -> str:
    """The IRI an id, IRI or exact name in a URL stands for (``UnknownEntity``, a 404 with
    the closest ids, or ``AmbiguousEntity`` otherwise)."""
    return resolve_iri(store, ident, names, exact=True)


# ------------------------------------------------------------------ exposure filters

MaxHops = Annotated[int, Query(ge=1, le=MAX_HOPS_LIMIT, description="Longest path, in hops")]
AsOf = Annotated[str | None, Query(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$",
                                   description="YYYY[-MM[-DD]]: leave out relations that "
                                               "started after it or ended before it")]
MinConf = Annotated[str | None, Query(max_length=100, description="A confidence level "
                                      "(e.g. ReportedByPress) or a weight between 0 and 1")]
Tech = Annotated[str | None, Query(max_length=300, description="A technology id, e.g. "
                                   "technology/facial-recognition; narrower ones match")]
Unverified = Annotated[bool, Query(description="Also follow unverified, alleged and disputed "
                                   "claims (they are marked)")]


@dataclass(frozen=True)
class FilterParams:
    """The CLI's filter options as query parameters, shared by every exposure route and
    the exposure page (so the page honours exactly what the API honours)."""

    max_hops: int = 4
    as_of: str | None = None
    min_confidence: str | None = None
    technology: str | None = None
    include_unverified: bool = False

    def filters(self, max_paths: int) -> Filters:
        return Filters.from_options(self.max_hops, self.as_of, self.min_confidence,
                                    self.technology, self.include_unverified, max_paths)

    def query(self) -> dict[str, str]:
        """The parameters that differ from the defaults, for a URL (shareable, stable)."""
        out: dict[str, str] = {}
        if self.max_hops != 4:
            out["max_hops"] = str(self.max_hops)
        for name in ("as_of", "min_confidence", "technology"):
            value = getattr(self, name)
            if value:
                out[name] = str(value)
        if self.include_unverified:
            out["include_unverified"] = "true"
        return out


def filter_params(max_hops: MaxHops = 4, as_of: AsOf = None, min_confidence: MinConf = None,
                  technology: Tech = None, include_unverified: Unverified = False
                  ) -> FilterParams:
    return FilterParams(max_hops, as_of or None, min_confidence or None, technology or None,
                        include_unverified)


FilterQuery = Annotated[FilterParams, Depends(filter_params)]
