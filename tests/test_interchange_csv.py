"""The CSV findings format: the template filled in, spreadsheet quirks, and refusals.

Every mapped result is checked against the SHACL shapes with the seed store as context
(the import pipeline does the same), and every refusal is checked for *where* it points:
the file line of the row and the column's name.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import InvalidData
from graph.interchange.csv_findings import read_csv_findings, vocabulary
from graph.interchange.model import Mapped, Problem
from graph.namespaces import ID, RDF_TYPE, SKG, XSD, rid, skg
from graph.store import OxigraphStore
from graph.validation import validate_quads

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "docs" / "templates" / "findings.csv"
HEADER = ("supplier,recipient,product,technology,date,source title,source URL,confidence,"
          "status,note")


def mint(kind: str, key: str) -> ox.NamedNode:
    """IRIs under a test import's own namespace, as the pipeline's mint does."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.casefold()).strip("-") or "x"
    return ox.NamedNode(f"{ID}import/test/{kind}/{slug}")


def objects(m: Mapped, s: ox.NamedNode | None, p: str) -> list[ox.NamedNode | ox.Literal]:
    return [q.object for q in m.quads  # type: ignore[misc]
            if (s is None or q.subject == s) and q.predicate == ox.NamedNode(p)]


def supplies(m: Mapped) -> list[ox.NamedNode]:
    return [q.subject for q in m.quads  # type: ignore[misc]
            if q.predicate == RDF_TYPE and q.object == skg("Supply")]


def problems_of(data: bytes) -> list[Problem]:
    with pytest.raises(InvalidData) as info:
        read_csv_findings(data, name="sheet.csv", mint=mint)
    assert info.value.file == "sheet.csv"
    found = list(info.value.problems)
    assert all(isinstance(p, Problem) for p in found)
    return found  # type: ignore[return-value]


def where(found: list[Problem]) -> set[tuple[int | None, str | None]]:
    return {(p.line, p.field) for p in found}


def test_template_with_three_findings_imports_and_conforms(seed_store: OxigraphStore) -> None:
    sheet = TEMPLATE.read_bytes().decode("utf-8")
    assert sheet.splitlines()[1].startswith("#"), "the template's example row is a comment"
    rows = [
        'Hikvision Europe,Ministry of Interior of X,DS-2CD cameras,video analytics,2021-03,'
        '"Hikvision cameras, a report",https://example.org/report-1,reported by press,'
        'reported,"Cameras delivered, per the tender award.",CN,France,Example Press,',
        'org/axis-communications,org/shanghai-psb,,facial recognition,2019,Second report,'
        'https://example.org/report-2,Inferred,disputed,Axis denies it.,,,,'
        'The tender names another brand.',
        'Noldus Information Technology,Xinjiang Normal University,,emotion recognition; '
        'behaviour analysis,2019-07-15,Third report,http://example.org/r3?id=1,'
        'stated in report,confirmed,,NLD,,,',
    ]
    data = (sheet.rstrip("\n") + "\n" + "\n".join(rows) + "\n").encode("utf-8")
    m = read_csv_findings(data, name="findings.csv", mint=mint)
    assert m.records == 3
    report = validate_quads(m.quads, context=seed_store)
    assert report.conforms, report.violations
    found = supplies(m)
    assert len(found) == 3
    dates = {q.object.datatype.value for q in m.quads  # type: ignore[union-attr]
             if q.predicate == skg("date")}
    assert dates == {XSD + "gYearMonth", XSD + "gYear", XSD + "date"}
    # an existing id is used as is; a new name is minted under the import's namespace
    assert rid("org/axis-communications") in objects(m, None, SKG + "supplier")
    hik = mint("org", "hikvision europe")
    assert ox.Quad(hik, RDF_TYPE, skg("Organisation")) in m.quads
    assert rid("place/china") in objects(m, hik, SKG + "country")
    # the third row has two technologies and a country given by ISO alpha-3
    third = [s for s in found if rid("technology/behaviour-analysis")
             in objects(m, s, SKG + "technology")]
    assert len(third) == 1
    assert rid("technology/emotion-recognition") in objects(m, third[0], SKG + "technology")
    assert rid("place/netherlands") in objects(m, mint("org", "noldus information technology"),
                                               SKG + "country")
    urls = {o.value for o in objects(m, None, SKG + "url")}
    assert urls == {"https://example.org/report-1", "https://example.org/report-2",
                    "http://example.org/r3?id=1"}
    assert "Example Press" in {o.value for o in objects(m, None,
                                                        "http://purl.org/dc/terms/publisher")}


def test_the_template_alone_has_no_findings() -> None:
    found = problems_of(TEMPLATE.read_bytes())
    assert [p.message for p in found] == ["the sheet has a header but no findings"]


def test_spreadsheet_quirks(seed_store: OxigraphStore) -> None:
    """BOM, ';' delimiter, odd header spelling, quoted newlines, Excel date-times, sep= hint."""
    body = ("sep=;\r\n"
            "Supplier ; RECIPIENT;Product;Technology;DATE;Source_Title;source-url;"
            "Confidence;Status;Note\r\n"
            'Acme;Beta Police;;facial recognition;2020-05-01 00:00:00;"T, one";'
            'https://a.example/1;primary (non-report);Reported;"line one\r\nline two"\r\n'
            "Acme;Beta Police;;facial recognition;2020;T2;https://a.example/2;"
            "PrimaryNonReport;REPORTED;'=SUM(A1) is what they wrote\r\n")
    m = read_csv_findings(codecs.BOM_UTF8 + body.encode(), name="x.csv", mint=mint)
    assert m.records == 2
    assert validate_quads(m.quads, context=seed_store).conforms
    notes = {o.value for o in objects(m, None, SKG + "statement")}
    assert notes == {"line one\r\nline two", "=SUM(A1) is what they wrote"}
    assert {o.value for o in objects(m, None, SKG + "date")} == {"2020-05-01", "2020"}

    utf16 = read_csv_findings(codecs.BOM_UTF16_LE + body.replace(";", "\t").encode("utf-16-le"),
                              name="x.txt", mint=mint)
    assert utf16.records == 2


def test_rows_of_one_finding_id_share_a_supply_and_add_sources() -> None:
    data = (HEADER + ",finding id\n"
            "Acme,Beta,,video analytics,,S1,https://a.example/1,inferred,alleged,,F1\n"
            "Acme,Beta,,video analytics,,S2,https://a.example/2,inferred,alleged,,F1\n"
            "Acme,Beta,,video analytics,,S3,https://a.example/3,inferred,reported,,F1\n")
    found = problems_of(data.encode())
    assert where(found) == {(4, "status")}
    m = read_csv_findings(data.encode().rsplit(b"\n", 2)[0] + b"\n", name="x", mint=mint)
    assert m.records == 1
    assert len(objects(m, supplies(m)[0], SKG + "evidence")) == 2
    assert objects(m, supplies(m)[0], SKG + "dateText")[0].value == "not given"


def test_every_problem_is_listed_with_line_and_column() -> None:
    data = (HEADER + "\n"
            ",Beta,,facial recognition,2020,S,https://a.example/1,inferred,reported,\n"
            'Acme,Beta,,"face\nrecognising",2020,S,https://a.example/1,inferred,reported,\n'
            "Acme,Beta,,facial recognition,2020-13,S,ftp://a.example/1,sure,maybe,\n"
            "Acme,,,facial recognition,15/03/2020,S,javascript:alert(1),inferred,reported,"
            "=HYPERLINK(\"http://evil\")\n"
            "@Acme,Beta,,facial recognition,2020,S,https://a.example/1,inferred,disputed,"
            "bell \x07 here\n")
    found = problems_of(data.encode())
    assert where(found) == {
        (2, "supplier"), (3, "technology"),
        (5, "date"), (5, "source URL"), (5, "confidence"), (5, "status"),
        (6, "recipient"), (6, "date"), (6, "source URL"), (6, "note"),
        (7, "supplier"), (7, "note"), (7, "status"),
    }
    tech = next(p for p in found if p.field == "technology")
    assert "facial recognition" in tech.message and "video analytics" in tech.message
    assert next(p for p in found if (p.line, p.field) == (5, "date")).column == 5
    assert "formula" in next(p for p in found if (p.line, p.field) == (6, "note")).message
    assert "control character" in next(p for p in found if (p.line, p.field) == (7, "note")
                                       ).message


def test_missing_and_duplicate_columns_are_refused() -> None:
    found = problems_of(b"supplier,recipient,Supplier,technology\nA,B,C,facial recognition\n")
    assert (1, "Supplier") in where(found)
    missing = {p.field for p in found if p.message.startswith("missing column")}
    assert missing == {"product", "date", "source title", "source url", "confidence",
                       "status", "note"}


def test_broken_text_is_refused_with_its_line() -> None:
    good = (HEADER + "\nAcme,Beta,,facial recognition,2020,S,https://a.example/1,inferred,"
            "reported,ok\n").encode()
    for bad in (b"\xed\xa0\x80", b"\xff\xfe\xfd", "é".encode("cp1252")):
        found = problems_of(good + b"Acme" + bad + b",Beta\n")
        assert found[0].line == 3
        assert "UTF-8" in found[0].message


def test_unknown_country_says_what_is_accepted() -> None:
    data = (HEADER + ",supplier country\n"
            "Acme,Beta,,facial recognition,2020,S,https://a.example/1,inferred,reported,,"
            "Atlantis\n")
    (problem,) = problems_of(data.encode())
    assert (problem.line, problem.field) == (2, "supplier country")
    assert "'Atlantis'" in problem.message and "249 ISO 3166-1 countries" in problem.message
    assert len(vocabulary().country_labels) == 249


def test_near_miss_country_suggests_the_closest() -> None:
    data = (HEADER + ",supplier country\n"
            "Acme,Beta,,facial recognition,2020,S,https://a.example/1,inferred,reported,,"
            "Germani\n")
    (problem,) = problems_of(data.encode())
    assert "did you mean Germany" in problem.message


@pytest.mark.parametrize("name", ["Canada", "Kenya", "Germany", "DE", "deu", "肯尼亚",
                                  "Republic of Kenya", "Taiwan", "Brazil"])
def test_any_iso_country_is_accepted(name: str) -> None:
    data = (HEADER + ",supplier country\n"
            "Acme,Beta,,facial recognition,2020,S,https://a.example/1,inferred,reported,,"
            f"{name}\n")
    mapped = read_csv_findings(data.encode(), name="sheet.csv", mint=mint)
    countries = {q.object.value for q in mapped.quads if q.predicate == skg("country")}
    assert len(countries) == 1 and countries <= {
        rid(f"place/{p}").value for p in ("canada", "kenya", "germany", "taiwan", "brazil")}


def test_resolve_links_names_to_existing_organisations(seed_store: OxigraphStore) -> None:
    asked: list[str] = []

    def resolve(name: str) -> ox.NamedNode | None:
        asked.append(name)
        return rid("org/axis-communications") if name == "Axis" else None

    data = (HEADER + "\nAxis,Someone New,,network cameras,2018,S,https://a.example/1,"
            "reported by press,reported,\n")
    m = read_csv_findings(data.encode(), name="x", mint=mint, resolve=resolve)
    assert asked == ["Axis", "Someone New"]
    assert objects(m, None, SKG + "supplier") == [rid("org/axis-communications")]
    assert objects(m, None, SKG + "recipient") == [mint("org", "someone new")]
    assert validate_quads(m.quads, context=seed_store).conforms


def test_guide_lists_every_technology_and_column() -> None:
    guide = " ".join((ROOT / "docs" / "csv-findings.md").read_text(encoding="utf-8").split())
    from graph.interchange.csv_findings import COLUMNS

    missing = [t for t in vocabulary().technology_labels if t not in guide]
    missing += [c for c in COLUMNS if f"`{c}`" not in guide.replace("`source URL`",
                                                                   "`source url`")]
    assert not missing, f"docs/csv-findings.md does not mention: {missing}"
