"""survkg's web layer: SPARQL endpoint, JSON API and browser pages over the core ``graph``.

``create_app`` and ``Settings`` are imported lazily, so that importing one submodule
(e.g. the SPARQL query worker, in a fresh process) does not import the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app
    from api.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.app import create_app

        return create_app
    if name == "Settings":
        from api.settings import Settings

        return Settings
    raise AttributeError(name)
