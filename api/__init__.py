"""survkg's web layer: SPARQL endpoint, JSON API and browser pages over the core ``graph``."""

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
