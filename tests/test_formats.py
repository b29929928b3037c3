"""graph/formats.py is the one table of formats; every surface resolves through it.

Canonical media types and extensions come from pyoxigraph; loading, imports, exports and
the SPARQL endpoint find the same row for the same name, media type or file name.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from api.sparql import media
from graph import formats
from graph.imports import kinds
from graph.interchange.exports import EXPORTERS


@pytest.mark.parametrize("fmt", formats.RDF, ids=lambda f: f.name)
def test_rdf_rows_are_pyoxigraphs(fmt: formats.Format) -> None:
    assert fmt.rdf is not None
    assert fmt.media_type == fmt.rdf.media_type
    assert fmt.extension == fmt.rdf.file_extension
    assert ox.RdfFormat.from_media_type(fmt.media_type) == fmt.rdf


@pytest.mark.parametrize("fmt", formats.RESULTS, ids=lambda f: f.name)
def test_results_rows_are_pyoxigraphs(fmt: formats.Format) -> None:
    assert fmt.results is not None
    assert fmt.content_type == fmt.results.media_type
    assert fmt.extension == fmt.results.file_extension


@pytest.mark.parametrize("fmt", formats.RDF, ids=lambda f: f.name)
def test_every_surface_finds_the_same_rdf_row(fmt: formats.Format) -> None:
    """Loading (file name), imports (name, file name, Content-Type) and the registry's
    own lookups agree for every name, media type and extension of the row."""
    for name in fmt.names:
        assert formats.by_name(name) == fmt.rdf
        assert kinds.by_name(name) is fmt
    for ext in fmt.all_extensions:
        assert formats.for_path(Path(f"data.{ext}")) == fmt.rdf
        assert kinds.for_filename(f"DATA.{ext.upper()}") is fmt
    for media_type in fmt.media_types:
        assert kinds.for_media_type(f"{media_type}; charset=utf-8") is fmt


def test_graph_negotiation_and_exports_use_the_rows() -> None:
    for fmt in formats.GRAPH_SYNTAXES:
        assert media.CANONICAL[fmt.name] == fmt.content_type
        assert all(media.GRAPHS[m] == fmt.name for m in fmt.media_types)
    for fmt in formats.RESULTS:
        assert media.CANONICAL[fmt.name] == fmt.content_type
        assert all(media.RESULTS[m] == fmt.name for m in fmt.media_types)
    assert set(EXPORTERS) == set(formats.EXPORTS) == set(formats.EXPORT_NAMES)
    for name, exporter in EXPORTERS.items():
        assert exporter.media_type == formats.EXPORTS[name].content_type


@pytest.mark.parametrize("filename, expected", [
    ("leads.ftm.json", "ftm"), ("leads.FTM.JSONL", "ftm"), ("x.ijson", "ftm"),
    ("x.json-ld", "jsonld"), ("x.jsonld", "jsonld"), ("x.owl", "rdfxml"), ("x.nq", "nquads"),
    ("findings.csv", "csv"), ("x.turtle", "turtle"),
])
def test_import_file_names(filename: str, expected: str) -> None:
    assert kinds.for_filename(filename).name == expected


def test_unknown_formats_are_refused_with_the_choices() -> None:
    from graph.errors import InvalidParameter
    with pytest.raises(InvalidParameter, match="turtle"):
        formats.by_name("n3")
    with pytest.raises(InvalidParameter, match="pass --format"):
        kinds.for_filename("data.json")  # JSON-LD or FtM? the user says
    with pytest.raises(InvalidParameter, match="text/turtle"):
        kinds.for_media_type("application/octet-stream")
