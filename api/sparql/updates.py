"""SPARQL Update for operators: off by default, write token, one transaction, audited.

The public endpoint is read-only. An operator who sets ``updates_enabled`` lets holders
of a write token (``survkg token create``, or ``SURVKG_WRITE_TOKEN``) send updates with
``Authorization: Bearer <token>``; each one is first checked and rehearsed in a
throw-away process, on a private copy of the store under the time limit (the parser can
crash on hostile input, and the engine cannot stop an update), then run in one engine
transaction (all operations or none), and recorded, refused ones included, in the store's audit log
(:mod:`graph.audit`): when, who (the token's name, never the token), what (the update
text) and the outcome; ``started`` before it runs and ``committed`` after
(:mod:`graph.updates`), settled at the next start after a crash.
"""

from __future__ import annotations

from graph.errors import QueryError, SurvkgError
from graph.updates import OPERATION

__all__ = ["OPERATION", "UpdateForbidden", "describe_error"]


class UpdateForbidden(SurvkgError):
    """Updates are disabled on this endpoint (403)."""


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, QueryError | SurvkgError):
        return f"refused: {exc}"
    return f"failed: {type(exc).__name__}: {exc}"
