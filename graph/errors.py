"""survkg's typed errors.

One small tree, so that the CLI prints them and the web layer maps them to HTTP status
codes in one table (``api/errors.py``) without catching anything it does not expect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class SurvkgError(Exception):
    """Base class of every error survkg raises on purpose."""


@dataclass
class InvalidData(SurvkgError):
    """RDF that cannot be parsed or does not conform to the shapes.

    ``file``, ``line`` and ``column`` locate the first problem; ``problems`` lists every
    problem found: SHACL violations (already formatted) or located
    :class:`graph.interchange.model.Problem` objects from the import mappers.
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    problems: Sequence[object] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{where(self.file, self.line, self.column)}: {self.message}"


def where(file: str | None, line: int | None, column: int | None) -> str:
    """``file:line:column``, as far as each is known (``<input>`` for no file name)."""
    text = file or "<input>"
    if line is not None:
        text += f":{line}"
        if column is not None:
            text += f":{column}"
    return text


@dataclass
class UnknownEntity(SurvkgError):
    """A name or id that matches nothing; ``candidates`` are the closest matches."""

    query: str
    candidates: Sequence[str] = field(default_factory=tuple)

    def __str__(self) -> str:
        msg = f"no entity matches {self.query!r}"
        if self.candidates:
            msg += "; closest: " + ", ".join(self.candidates)
        return msg


@dataclass
class AmbiguousEntity(SurvkgError):
    """A name that matches several entities equally well."""

    query: str
    candidates: Sequence[str] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{self.query!r} is ambiguous; candidates: " + ", ".join(self.candidates)


class QueryError(SurvkgError):
    """A SPARQL query or update that is malformed or refused (message says why)."""


class QueryRefused(QueryError):
    """A query that is well-formed but not allowed (SERVICE, LOAD, remote FROM, too deep...)."""


class QueryTimeout(SurvkgError):
    """A query stopped because it ran past its time limit."""


class TooLarge(SurvkgError):
    """An input (upload, query, result) over a configured limit."""


class InvalidParameter(SurvkgError):
    """A parameter with a bad value; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type[InvalidParameter], tuple[str, str]]:
        # Pickled as its two arguments (an import's worker process hands errors back).
        return type(self), (self.field, self.message)


class MissingFeature(SurvkgError):
    """An optional part of survkg whose extra is not installed (message says which)."""


class Conflict(SurvkgError):
    """The request contradicts the store's state: a file already imported, an import
    already retracted (409)."""


class Unauthorized(SurvkgError):
    """A write without a valid bearer token: none, unknown, or revoked (HTTP 401)."""


@dataclass
class IntegrityError(SurvkgError):
    """Stored data that fails its own check: a broken audit hash chain, a backup whose
    dataset differs from its manifest. ``where`` names the file (and line) at fault."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class Unavailable(SurvkgError):
    """A tool this request needs is not installed or did not answer (e.g. Chromium for a
    PDF; HTTP 503)."""


@dataclass
class StoreLocationError(SurvkgError):
    """A store location that is neither a folder nor a store this command can use.

    A URL is never silently taken for a folder (``http://host/`` would otherwise become a
    folder named ``http:``).
    """

    location: str
    remote: bool = False

    def __str__(self) -> str:
        if self.remote:
            return (f"{self.location!r} is a remote SPARQL store; this command needs a store "
                    "folder on this machine")
        scheme = self.location.split(":", 1)[0]
        return (f"unknown store scheme {scheme!r} in {self.location!r}: a store is a folder "
                "path or an http(s):// SPARQL 1.1 endpoint")
