"""What kind of file an import is: an RDF syntax, CSV findings or FtM entities.

The formats, their media types and file extensions are the format registry's
(:data:`graph.formats.IMPORTS`), so the CLI (which sees a file name) and the HTTP API
(which sees a Content-Type) agree on every format with each other and with loading and
exports. This module adds the import-specific errors.
"""

from __future__ import annotations

from graph.errors import InvalidParameter
from graph.formats import IMPORTS, Format, find

#: An import format: ``rdf`` set for an RDF syntax; ``csv`` findings and ``ftm`` have none.
Kind = Format
KINDS: dict[str, Kind] = IMPORTS


def by_name(name: str) -> Kind:
    """The import format called ``name`` (or one of its aliases, e.g. ``ttl``)."""
    kind = find(IMPORTS, name=name)
    if kind is None:
        raise InvalidParameter("format", f"unknown import format {name!r}; use one of "
                               + ", ".join(KINDS))
    return kind


def for_filename(filename: str) -> Kind:
    """The kind a file name's extension names (``x.ftm.json`` is FtM, not JSON-LD)."""
    kind = find(IMPORTS, filename=filename)
    if kind is None:
        raise InvalidParameter("file", f"{filename}: cannot tell the import format from its "
                               "extension; pass --format (" + ", ".join(KINDS) + ")")
    return kind


def for_media_type(content_type: str | None) -> Kind:
    """The kind a Content-Type names (parameters such as charset are ignored)."""
    kind = find(IMPORTS, media_type=content_type or "")
    if kind is None:
        media = (content_type or "").split(";")[0].strip().lower()
        raise InvalidParameter("Content-Type", f"unsupported media type {media or '(none)'!r}; "
                               "use one of " + ", ".join(sorted(k.media_type
                                                                for k in KINDS.values())))
    return kind
