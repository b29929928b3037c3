"""RDF formats by name, file extension and media type, in one table."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.errors import InvalidParameter

#: CLI / API format names -> pyoxigraph formats.
BY_NAME: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
}


def by_name(name: str) -> ox.RdfFormat:
    """The format called ``name`` (case-insensitive), or an error listing the known names."""
    try:
        return BY_NAME[name.lower()]
    except KeyError:
        raise InvalidParameter("format", f"unknown RDF format {name!r}; use one of "
                               + ", ".join(sorted(BY_NAME))) from None


def for_path(path: Path) -> ox.RdfFormat:
    """The format a file's extension names (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ...)."""
    ext = path.suffix.lstrip(".").lower()
    fmt = ox.RdfFormat.from_extension(ext) if ext else None
    if fmt is None:
        raise InvalidParameter("file", f"{path}: cannot tell the RDF format from {path.suffix!r}")
    return fmt
