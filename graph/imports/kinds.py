"""What kind of file an import is: an RDF syntax, CSV findings or FtM entities.

One table keyed by media type and by file extension, so the CLI (which sees a file
name) and the HTTP API (which sees a Content-Type) agree on every format.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.errors import InvalidParameter


@dataclass(frozen=True)
class Kind:
    """An import format: ``rdf`` (with its syntax), ``csv`` findings or ``ftm`` entities."""

    name: str
    media_type: str
    rdf: ox.RdfFormat | None = None


KINDS: dict[str, Kind] = {
    "turtle": Kind("turtle", "text/turtle", ox.RdfFormat.TURTLE),
    "trig": Kind("trig", "application/trig", ox.RdfFormat.TRIG),
    "ntriples": Kind("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    "nquads": Kind("nquads", "application/n-quads", ox.RdfFormat.N_QUADS),
    "jsonld": Kind("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": Kind("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    "csv": Kind("csv", "text/csv"),
    "ftm": Kind("ftm", "application/x-ftm+json"),
}

_EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nt": "ntriples",
    ".nq": "nquads", ".jsonld": "jsonld", ".json-ld": "jsonld", ".rdf": "rdfxml",
    ".xml": "rdfxml", ".owl": "rdfxml", ".csv": "csv", ".ftm": "ftm", ".ijson": "ftm",
}
# Compound extensions first: "x.ftm.json" and "x.ftm.jsonl" are FtM, not JSON-LD.
_COMPOUND = {".ftm.json": "ftm", ".ftm.jsonl": "ftm", ".ftm.ndjson": "ftm"}

_MEDIA = {k.media_type: k.name for k in KINDS.values()} | {
    "text/n3": "turtle", "application/x-turtle": "turtle", "application/json": "jsonld",
    "application/x-ndjson": "ftm", "application/jsonl": "ftm", "application/x-jsonlines": "ftm",
    "text/plain": "ntriples", "application/xml": "rdfxml", "text/xml": "rdfxml",
    "application/csv": "csv",
}


def by_name(name: str) -> Kind:
    try:
        return KINDS[name.lower()]
    except KeyError:
        raise InvalidParameter("format", f"unknown import format {name!r}; use one of "
                               + ", ".join(KINDS)) from None


def for_filename(filename: str) -> Kind:
    """The kind a file name's extension names."""
    lower = filename.lower()
    for ext, name in _COMPOUND.items():
        if lower.endswith(ext):
            return KINDS[name]
    dot = lower.rfind(".")
    found = _EXTENSIONS.get(lower[dot:]) if dot >= 0 else None
    if found is None:
        raise InvalidParameter("file", f"{filename}: cannot tell the import format from its "
                               "extension; pass --format (" + ", ".join(KINDS) + ")")
    return KINDS[found]


def for_media_type(content_type: str | None) -> Kind:
    """The kind a Content-Type names (parameters such as charset are ignored)."""
    media = (content_type or "").split(";")[0].strip().lower()
    name = _MEDIA.get(media)
    if name is None:
        raise InvalidParameter("Content-Type", f"unsupported media type {media or '(none)'!r}; "
                               "use one of " + ", ".join(sorted(k.media_type
                                                                for k in KINDS.values())))
    return KINDS[name]
