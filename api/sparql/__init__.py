"""/sparql: the W3C SPARQL 1.1 Protocol endpoint and its editor (see ``endpoint``).

``make_router`` is imported lazily so that the query worker process, which imports
``api.sparql.worker``, starts without loading the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.sparql.endpoint import make_router

__all__ = ["make_router"]


def __getattr__(name: str) -> Any:
    if name == "make_router":
        from api.sparql.endpoint import make_router

        return make_router
    raise AttributeError(name)
