"""The import pipeline on a real on-disk store: good files per format, refusals located
by line and column with the store byte-for-byte unchanged, hostile files, entity
resolution, dry runs, duplicates and retraction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import Conflict, InvalidData, TooLarge
from graph.exposure.engine import exposure
from graph.imports import kinds
from graph.imports.catalogue import list_imports
from graph.imports.pipeline import ImportResult, import_data
from graph.imports.retract import retract_import
from graph.loading import open_store
from graph.namespaces import ID
from graph.projection import build_projection
from graph.store import Store
from tests.conftest import STORE_KINDS

DATA = Path(__file__).parent / "data" / "imports"
FORMATS = ["ttl", "nt", "nq", "trig", "jsonld", "rdf"]
SHANGHAI_PSB = ID + "org/shanghai-psb"
AXIS = ID + "org/axis-communications"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded on-disk store, made once and copied per test (seeding takes a second)."""
    path = tmp_path_factory.mktemp("template") / "store"
    open_store(path).close()
    return path


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A seeded store of this test's own: an on-disk copy of ``template``, or
    ``oxigraph serve`` (tests/conftest.py's ``fresh_remote_store``), where imports go through the
    W3C protocols (one update request per commit)."""
    if request.param != "embedded":
        yield request.getfixturevalue("fresh_remote_store")
        return
    import shutil
    shutil.copytree(request.getfixturevalue("template"), tmp_path / "store")
    s = open_store(tmp_path / "store")
    yield s
    s.close()


def dump(store: Store) -> bytes:
    data = store.export(None, ox.RdfFormat.N_QUADS)
    assert data is not None
    return data


def run(store: Store, data: bytes, name: str, **kw: object) -> ImportResult:
    return import_data(store, data, kind=kinds.for_filename(name), filename=name,
                       actor="test", **kw)  # type: ignore[arg-type]


def refused(store: Store, data: bytes, name: str, **kw: object) -> InvalidData:
    before = dump(store)
    with pytest.raises(InvalidData) as info:
        run(store, data, name, **kw)
    assert dump(store) == before, "a refused import changed the store"
    return info.value


@pytest.mark.parametrize("ext", FORMATS)
def test_good_file_is_imported_into_its_own_graph(store: Store, ext: str) -> None:
    data = (DATA / f"good.{ext}").read_bytes()
    result = run(store, data, f"good.{ext}")
    assert result.committed and result.triples == 18
    graph = ox.NamedNode(result.graph)
    assert len(list(store.quads(None, None, None, graph))) == 18
    (record,) = list_imports(store)
    assert (record.id, record.sha256, record.imported_by, record.triples) == (
        result.id, result.sha256, "test", 18)
    # Axis under another legal name is linked to the existing Axis, not duplicated.
    assert [(x.existing, x.matched_by) for x in result.links] == [
        (AXIS, "same name (no conflicting country)")]
    assert not list(store.quads(ox.NamedNode("https://example.org/research/axis"), None, None))
    if ext in {"nq", "trig"}:
        assert any("named graphs" in n for n in result.notes)


def test_new_supply_appears_in_exposure_with_its_source(store: Store) -> None:
    run(store, (DATA / "good.ttl").read_bytes(), "good.ttl")
    result = exposure(build_projection(store), "https://example.org/research/acme")
    assert result.paths, "the imported supply gives Acme a path to a risk target"
    path = result.paths[0]
    assert path.target.id == "org/shanghai-psb"
    urls = [e.url for hop in path.hops for e in hop.evidence]
    assert "https://example.org/press/acme-shanghai" in urls


BAD = {
    # (file name, bytes appended to or replacing the good file, expected line or None)
    "ttl": lambda good: good + b"ex:broken ex:p .\n",
    "nt": lambda good: good + b"<https://example.org/a> <https://example.org/b> .\n",
    "nq": lambda good: good + b"<https://example.org/a> <https://example.org/b> \"x\" <g .\n",
    "trig": lambda good: good + b"ex:g { ex:a ex:b }\n",
    "jsonld": lambda good: good[:-2] + b",\n{\"@id\": }]\n",
    "rdf": lambda good: good.replace(b"</rdf:RDF>", b"<rdf:Description>\n</rdf:RDF>"),
}


@pytest.mark.parametrize("ext", FORMATS)
def test_syntax_error_is_located_and_nothing_is_stored(store: Store, ext: str) -> None:
    good = (DATA / f"good.{ext}").read_bytes()
    bad = BAD[ext](good)
    err = refused(store, bad, f"bad.{ext}")
    assert err.file == f"bad.{ext}"
    assert err.line is not None and err.line >= good.count(b"\n"), str(err)
    assert list_imports(store) == []


def test_every_shacl_problem_is_listed(store: Store) -> None:
    bad = (DATA / "good.ttl").read_bytes().replace(b'dcterms:publisher "Example Press" ;', b"")
    bad = bad.replace(b"skg:status skg:Reported .",
                      b"skg:status skg:Reported ; skg:date \"soon\" .")
    err = refused(store, bad, "bad.ttl")
    text = "\n".join(map(str, err.problems))
    assert "publisher" in text and "soon" in text, text


def test_dry_run_reports_and_writes_nothing(store: Store) -> None:
    before = dump(store)
    result = run(store, (DATA / "good.ttl").read_bytes(), "good.ttl", dry_run=True)
    assert result.dry_run and not result.committed
    # 17 new: "Axis a skg:Company" is already there once Axis is linked.
    assert result.triples == 18 and result.new_triples == 17
    assert result.new_resources == {"Company": 1, "PressArticle": 1, "Supply": 1}
    assert dump(store) == before


def test_same_file_twice_is_a_conflict_unless_forced(store: Store) -> None:
    data = (DATA / "good.ttl").read_bytes()
    first = run(store, data, "good.ttl")
    before = dump(store)
    with pytest.raises(Conflict, match=first.id):
        run(store, data, "again.ttl")
    assert dump(store) == before
    second = run(store, data, "again.ttl", force=True)
    assert second.id != first.id and len(list_imports(store)) == 2


# Embedded only: the retracted graph is archived in the store folder (a remote store has
# none here; docs/remote-store.md).
@pytest.mark.parametrize("store", ["embedded"], indirect=True)
def test_retraction_is_recorded_and_archived(store: Store) -> None:
    result = run(store, (DATA / "good.ttl").read_bytes(), "good.ttl")
    record = retract_import(store, result.id, actor="reviewer", reason="source withdrawn")
    assert record.retracted_by == "reviewer" and record.retraction_reason == "source withdrawn"
    assert not list(store.quads(None, None, None, ox.NamedNode(result.graph)))
    archived = Path(store.location) / "survkg-imports" / f"{result.id}.retracted.nq"
    assert len(list(ox.parse(archived.read_bytes(), format=ox.RdfFormat.N_QUADS))) == 18
    assert (Path(store.location) / "survkg-imports" / result.sha256).read_bytes() == \
        (DATA / "good.ttl").read_bytes()
    proj = build_projection(store)
    assert "https://example.org/research/acme" not in proj.graph
    with pytest.raises(Conflict):
        retract_import(store, result.id, actor="reviewer", reason="again")
    # After a retraction the same file may be imported again.
    assert run(store, (DATA / "good.ttl").read_bytes(), "good.ttl").committed


# ---------------------------------------------------------------- hostile files

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
<rdf:Description rdf:about="https://example.org/x"><rdfs:label>&lol9;</rdfs:label>
</rdf:Description></rdf:RDF>"""

PREFIXES = (b"@prefix skg: <https://w3id.org/survkg/ontology#> .\n"
            b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("name", "data", "expect", "line"), [
    ("laughs.rdf", BILLION_LAUGHS, "DOCTYPE", 2),
    ("deep.ttl", PREFIXES + b"<https://example.org/s> rdfs:seeAlso " + b"[ rdfs:seeAlso " * 5000
     + b"]" * 5000 + b" .\n", "nesting", 3),
    ("deep.jsonld", b'{"@id": "https://example.org/s", "https://example.org/p": '
     + b"[" * 100_000 + b"]" * 100_000 + b"}", "nesting", 1),
    ("deep.rdf", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
     + b"<rdf:Description>" * 200 + b"</rdf:Description>" * 200 + b"</rdf:RDF>", "nesting", 2),
    ("bad-iri.ttl", PREFIXES + b'<https://example.org/a b> rdfs:label "x" .\n', "", 3),
    ("js-iri.ttl", PREFIXES + b'<https://example.org/a> rdfs:seeAlso <javascript:alert(1)> .\n',
     "scheme", 3),
    ("latin1.ttl", PREFIXES + b'<https://example.org/a> rdfs:label "caf\xe9" .\n', "UTF-8", 3),
    ("surrogate.ttl", PREFIXES + b'<https://example.org/a> rdfs:label "x\\uD800y" .\n', "", 3),
    ("nul.nt", b'<https://example.org/a> <https://example.org/b> "a\x00b" .\n', "control", 1),
    ("script.ttl", PREFIXES + b'\n<https://example.org/a> a skg:Company ;\n'
     b'  rdfs:label "Acme<script>alert(1)</script>" .\n', "markup", 5),
])
def test_hostile_files_are_refused_with_a_location(store: Store, name: str, data: bytes,
                                                   expect: str, line: int) -> None:
    err = refused(store, data, name)
    text = str(err) + " " + " ".join(map(str, err.problems))
    assert expect in text, text
    first = err.problems[0] if err.problems else err
    assert getattr(first, "line", None) == line, text


def test_oversized_file_is_refused_before_parsing(store: Store) -> None:
    before = dump(store)
    big = b"#" * (100 * 1024 * 1024)
    with pytest.raises(TooLarge, match="over the import limit"):
        run(store, big, "big.ttl")
    assert dump(store) == before


def test_jsonld_remote_context_is_not_fetched(store: Store) -> None:
    doc = b'{"@context": "https://schema.org/", "@id": "https://example.org/x", "name": "x"}'
    err = refused(store, doc, "remote.jsonld")
    assert "context" in str(err).lower() or err.problems


# ---------------------------------------------------------------- entity resolution

def company(iri: str, label: str, country: str | None = None) -> bytes:
    extra = f" ; skg:country <{ID}place/{country}>" if country else ""
    return PREFIXES + f'<{iri}> a skg:Company ; rdfs:label "{label}"{extra} .\n'.encode()


def test_same_name_other_country_is_reported_not_merged(store: Store) -> None:
    result = run(store, company("https://example.org/axis-cn", "Axis Communications", "china"),
                 "axis.ttl")
    assert result.links == []
    (cand,) = result.candidates
    assert cand.reason == "same name, different country"
    assert cand.candidates[0][0] == AXIS
    assert list(store.quads(ox.NamedNode("https://example.org/axis-cn"), None, None, None))


def test_same_name_and_country_is_linked(store: Store) -> None:
    result = run(store, company("https://example.org/axis-se", "AXIS COMMUNICATIONS AB",
                                "sweden"), "axis.ttl")
    assert [(x.existing, x.matched_by) for x in result.links] == [
        (AXIS, "same name and country")]


def test_similar_name_is_a_candidate(store: Store) -> None:
    result = run(store, company("https://example.org/axs", "Axis Comunications"), "axis.ttl")
    assert result.links == []
    assert [c.reason for c in result.candidates] == ["similar name"]


def test_chinese_name_links(store: Store) -> None:
    rows = store.query("SELECT ?e ?n WHERE { ?e <https://w3id.org/survkg/ontology#chineseName> ?n "
                       "FILTER(STRSTARTS(STR(?e), \"https://w3id.org/survkg/id/org/\")) }"
                       " LIMIT 1")
    assert isinstance(rows, ox.QuerySolutions)
    (sol,) = list(rows)
    data = (PREFIXES + f'<https://example.org/zh> a skg:Organisation ; '
            f'rdfs:label "{sol["n"].value}"@zh .\n'.encode())
    result = run(store, data, "zh.ttl")
    assert [x.existing for x in result.links] == [sol["e"].value]


# ---------------------------------------------------------------- spreadsheet findings

def test_spreadsheet_with_three_findings_feeds_exposure(store: Store) -> None:
    """The template filled in with three findings: new supplies, linked to the existing
    Axis and police bureaus, appear in exposure results with their sources."""
    data = (DATA / "three-findings.csv").read_bytes()
    result = run(store, data, "three-findings.csv")
    assert result.committed and result.new_resources.get("Supply") == 3
    assert {x.existing for x in result.links} >= {AXIS}
    proj = build_projection(store)
    nordvision = [n for n, d in proj.graph.nodes(data=True)
                  if "import/" in n and "nordvision" in n and "/org/" in n]
    assert len(nordvision) == 1, nordvision
    found = exposure(proj, nordvision[0])
    targets = {p.target.id for p in found.paths}
    assert {"org/shanghai-psb", "org/lingchuan-psb"} <= targets
    urls = {e.url for p in found.paths for hop in p.hops for e in hop.evidence}
    assert {"https://example.org/news/nordvision-shanghai",
            "https://example.org/procurement/lingchuan-nv2"} <= urls


def test_spreadsheet_problems_are_all_listed_with_row_and_column(store: Store) -> None:
    data = (DATA / "three-findings.csv").read_bytes()
    data = data.replace(b"2021-03", b"March 2021").replace(b"reported by press", b"rumour")
    err = refused(store, data, "bad.csv")
    fields = {(getattr(p, "line", None), getattr(p, "field", None)) for p in err.problems}
    assert {(3, "date"), (3, "confidence")} <= fields, err.problems


def test_progress_reports_every_phase_in_order(store: Store) -> None:
    seen: list[tuple[str, float]] = []
    run(store, (DATA / "good.ttl").read_bytes(), "good.ttl",
        progress=lambda phase, fraction: seen.append((phase, fraction)))
    phases = list(dict.fromkeys(p for p, _ in seen))
    assert phases == ["screening", "parsing", "checking", "resolving", "validating",
                      "committing"]
    assert seen[-1] == ("committing", 1.0)
    assert all(0.0 <= f <= 1.0 for _, f in seen)


def test_shacl_problems_are_located_at_their_focus_node(store: Store) -> None:
    bad = (DATA / "good.ttl").read_bytes().replace(b'dcterms:publisher "Example Press" ;', b"")
    err = refused(store, bad, "bad.ttl")
    (problem,) = err.problems
    text = bad.decode()
    assert problem.line == text[: text.index("ex:article a")].count("\n") + 1
    assert problem.field == "dcterms:publisher"


def test_bad_ftm_file_is_refused_with_lines_and_nothing_stored(store: Store) -> None:
    data = (b'{"id": "c1", "schema": "Company", "properties": {"name": ["Acme"]}}\n'
            b'{"id": "c2", "schema": "Company", "properties": {"nmae": ["Oops"]}}\n'
            b'not json\n')
    err = refused(store, data, "bad.ftm.json")
    # line 2: an unknown property (and so no name, which Company requires); line 3: not JSON
    assert {(p.line, p.field) for p in err.problems} >= {(2, "properties.nmae"), (3, None)}
    assert {p.line for p in err.problems} == {2, 3}, err.problems
