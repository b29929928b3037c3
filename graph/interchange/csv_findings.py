"""The spreadsheet format for findings: one row per supply and source, no RDF needed.

Researchers keep their findings in spreadsheets; this maps such a sheet (saved as CSV,
see ``docs/csv-findings.md`` and ``docs/templates/findings.csv``) onto the ontology: one
``skg:Supply`` per finding with its ``skg:Source``, supplier and recipient organisations,
product, technology, date, confidence and status, so that the result passes the SHACL
shapes. Nothing here touches the store: the import pipeline resolves, validates and
commits what :func:`read_csv_findings` returns.

Decisions (documented for researchers in ``docs/csv-findings.md``):

- Every problem of the whole file is listed (file line of the row, column), not the first.
- Cells that start with ``=``, ``+``, ``-`` or ``@`` are *refused*: a spreadsheet would run
  them as formulas, and silently changing evidence is worse than asking. A cell that
  starts with an apostrophe followed by one of those characters (the usual way to write
  such text, and what :func:`graph.interchange.csv_export.write_supplies_csv` writes) is
  taken literally without the apostrophe.
- Several rows with the same ``finding id`` (or, without one, the same supply columns)
  are one supply with several sources: that is how a second source is added.
- Files must be UTF-8 (a BOM is fine) or UTF-16 with a BOM; anything else is refused
  rather than guessed, because a wrong guess corrupts names silently.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import pyoxigraph as ox

from graph.bundled import ONTOLOGY_DIR, SEEDS_DIR
from graph.errors import InvalidData
from graph.interchange.model import Mapped, Mint, Problem
from graph.namespaces import (
    DCTERMS,
    ID,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALTLABEL,
    SKOS_PREFLABEL,
    XSD,
    rid,
    skg,
)
from graph.vocabulary import Term, claim_statuses, confidence_levels

TECHNOLOGIES = ONTOLOGY_DIR / "technologies.ttl"
#: Every country (generated from ISO 3166-1, bench/gen_places.py) and the seed's extra names.
PLACES = (SEEDS_DIR / "countries.ttl", SEEDS_DIR / "places.ttl")

#: The columns every findings sheet has (the header may use any case and spacing).
REQUIRED_COLUMNS = ("supplier", "recipient", "product", "technology", "date", "source title",
                    "source url", "confidence", "status", "note")
#: Columns a sheet may add; an exported sheet has all of them.
OPTIONAL_COLUMNS = ("finding id", "supplier id", "supplier country", "recipient id",
                    "recipient country", "programme", "product id", "date text",
                    "source publisher", "assessment", "language", "archived url")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
#: Most columns a header may have (a sheet has 21; a million-column header once kept
#: 110 MB per import job, one note per ignored column), and ignored ones named in notes.
MAX_COLUMNS = 256
NAMED_IGNORED = 10

#: Columns that hold several values separated by ``;`` (or ``|``).
MULTI_VALUED = ("technology", "programme")

NEEDS_ASSESSMENT = ("Disputed", "Unverified")

#: What a supply's date is when the sheet gives none (as in the seeds).
NO_DATE = "not given"

_FORMULA = "=+-@"
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_EXISTING_ID = re.compile(
    r"(org|programme|product|source|place|technology)/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_EXCEL_MIDNIGHT = re.compile(r"[ T]00:00(:00)?$")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_SPLIT = re.compile(r"\s*[;|]\s*")

STRING = ox.NamedNode(XSD + "string")
ANY_URI = ox.NamedNode(XSD + "anyURI")


def normalise_name(text: str) -> str:
    """The key of a name: NFKC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _squash(text: str) -> str:
    text = text.strip()
    for prefix in (ID, "skg:"):
        text = text.removeprefix(prefix)
    text = text.rsplit("#", 1)[-1]
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def column_key(header: str) -> str:
    """``"Source_URL "`` -> ``"source url"``: how headers are matched."""
    return " ".join(re.sub(r"[_\-]+", " ", header.strip().casefold()).split())


@dataclass(frozen=True)
class Vocabulary:
    """Technologies and countries a sheet may name, by normalised label, alias or code."""

    technologies: dict[str, ox.NamedNode]
    technology_labels: tuple[str, ...]
    countries: dict[str, ox.NamedNode]
    country_labels: tuple[str, ...]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Read from ``ontology/technologies.ttl`` and ``seeds/countries.ttl`` + ``places.ttl``
    (never hard-coded): a country matches by name, alias, Chinese name or ISO code."""
    tech: dict[str, ox.NamedNode] = {}
    tech_labels: list[str] = []
    for q in ox.parse(path=str(TECHNOLOGIES), format=ox.RdfFormat.TURTLE):
        s = q.subject
        if not isinstance(s, ox.NamedNode):
            continue
        if q.predicate == RDF_TYPE and q.object == skg("Technology"):
            tech[normalise_name(s.value.removeprefix(ID))] = s
            local = s.value.rsplit("/", 1)[-1]
            tech[normalise_name(local)] = s
            tech[normalise_name(local.replace("-", " "))] = s
        elif q.predicate in (RDFS_LABEL, SKOS_PREFLABEL, SKOS_ALTLABEL):
            tech[normalise_name(q.object.value)] = s
            if q.predicate == SKOS_PREFLABEL:
                tech_labels.append(q.object.value)
    places = [q for path in PLACES for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    country_iris = {q.subject for q in places
                    if q.predicate == RDF_TYPE and q.object == skg("Country")}
    countries: dict[str, ox.NamedNode] = {}
    country_labels: list[str] = []
    names = (RDFS_LABEL, SKOS_ALTLABEL, skg("countryCode"), skg("chineseName"))
    for q in places:
        s = q.subject
        if s not in country_iris or not isinstance(s, ox.NamedNode):
            continue
        if q.predicate in names:
            countries[normalise_name(q.object.value)] = s
            if q.predicate == RDFS_LABEL:
                country_labels.append(q.object.value)
        countries[normalise_name(s.value.removeprefix(ID))] = s
    return Vocabulary(tech, tuple(sorted(set(tech_labels), key=str.casefold)), countries,
                      tuple(sorted(set(country_labels), key=str.casefold)))


def technology_label(iri: str) -> str | None:
    """The preferred label of a technology IRI (for writers that emit this format)."""
    for label in vocabulary().technology_labels:
        if vocabulary().technologies[normalise_name(label)].value == iri:
            return label
    return None


# ---------------------------------------------------------------- decoding and rows


def _decode(data: bytes, name: str) -> str:
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
        else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = (f"not valid {'UTF-16' if encoding == 'utf-16' else 'UTF-8'} text "
                   f"(byte {data[exc.start:exc.start + 1]!r} at offset {exc.start}); save the "
                   "sheet as 'CSV UTF-8' and try again")
        raise InvalidData(message, file=name, line=line,
                          problems=[Problem(message, file=name, line=line)]) from exc


def _delimiter(header_line: str) -> str:
    # The sniffer's regular expressions took 4 s on a million-column header: the first
    # few columns say which delimiter a sheet uses.
    header_line = header_line[:4096]
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: header_line.count(d) for d in ",;\t"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    columns: dict[str, int]
    headers: dict[str, str]


@dataclass
class _Reader:
    """Collects the problems of one file while its rows are mapped."""

    name: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: _Row | None, column: str | None, message: str,
                line: int | None = None) -> None:
        self.problems.append(Problem(
            message, file=self.name, line=row.line if row else line,
            column=row.columns.get(column) if row and column else None,
            field=(row.headers.get(column, column) if row and column else column)))


def _clean_cell(text: str) -> tuple[str, str | None]:
    """The cell's value and what is wrong with it (None when nothing is)."""
    bad = _BAD_CHARS.search(text)
    if bad:
        ch = bad.group()
        kind = "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "a control character"
        return "", f"contains {kind} (U+{ord(ch):04X}) at position {bad.start() + 1}"
    value = text.strip()
    if value.startswith("'") and value[1:2] and value[1] in _FORMULA:
        return value[1:], None
    if len(value) > 1 and value[0] in _FORMULA:
        return "", (f"starts with {value[0]!r}, which a spreadsheet runs as a formula; "
                    f"write it as '{value} (with a leading apostrophe) if it is text")
    return value, None


def _rows(text: str, reader: _Reader, notes: list[str]) -> list[_Row]:
    lines = text.splitlines(keepends=True)
    first = 0
    delimiter = None
    if lines and re.fullmatch(r"sep=(.)\r?\n?", lines[0]):  # Excel's delimiter hint
        delimiter = lines[0][4]
        first = 1
    if first >= len(lines) or not lines[first].strip():
        reader.problem(None, None, "no header row (the first line names the columns)",
                       line=first + 1)
        return []
    delimiter = delimiter or _delimiter(lines[first])
    body = io.StringIO("".join(lines[first:]), newline="")
    parsed = csv.reader(body, delimiter=delimiter, strict=False)
    try:
        header = next(parsed)
    except csv.Error as exc:
        reader.problem(None, None, f"unreadable header: {exc}", line=first + 1)
        return []
    if len(header) > MAX_COLUMNS:
        reader.problem(None, None, f"the header row has {len(header):,} columns; a findings "
                       f"sheet has at most {MAX_COLUMNS} (the format uses {len(COLUMNS)})",
                       line=first + 1)
        return []
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for i, raw in enumerate(header):
        key = column_key(raw)
        if not key:
            continue
        if key in columns:
            reader.problem(None, raw, f"column {raw!r} appears twice (columns {columns[key] + 1} "
                           f"and {i + 1})", line=first + 1)
            continue
        if key not in COLUMNS:
            ignored.append(raw.strip())
        columns[key] = i
        headers[key] = raw.strip()
    if ignored:
        named = ", ".join(repr(x[:40]) for x in ignored[:NAMED_IGNORED])
        notes.append(f"{len(ignored)} column(s) not part of the findings format, ignored: "
                     + named + (", ..." if len(ignored) > NAMED_IGNORED else ""))
    for col in REQUIRED_COLUMNS:
        if col not in columns:
            reader.problem(None, col, f"missing column {col!r} (the header row must name all "
                           "of: " + ", ".join(REQUIRED_COLUMNS) + ")", line=first + 1)
    rows: list[_Row] = []
    last = first + parsed.line_num
    while True:
        try:
            raw_cells = next(parsed)
        except StopIteration:
            break
        except csv.Error as exc:
            reader.problem(None, None, f"unreadable row: {exc}", line=last + 1)
            break
        start, last = last + 1, first + parsed.line_num
        if not any(c.strip() for c in raw_cells):
            continue
        if raw_cells[0].lstrip().startswith("#"):
            continue  # a comment row (the template's example)
        row = _Row(start, {}, {k: i + 1 for k, i in columns.items()}, headers)
        for extra in raw_cells[len(header):]:
            if extra.strip():
                reader.problem(row, None, f"more cells than columns in the header: {extra!r}")
                break
        for key, i in columns.items():
            value, wrong = _clean_cell(raw_cells[i] if i < len(raw_cells) else "")
            if wrong:
                reader.problem(row, key, wrong)
            row.cells[key] = value
        rows.append(row)
    return rows


# ---------------------------------------------------------------- mapping


def _date(value: str) -> ox.Literal | None:
    value = _EXCEL_MIDNIGHT.sub("", value)
    m = _DATE.fullmatch(value)
    if not m:
        return None
    year, month, day = m.groups()
    try:
        if day:
            dt.date(int(year), int(month), int(day))
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        if month:
            dt.date(int(year), int(month), 1)
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYearMonth"))
    except ValueError:
        return None
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))


def _http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        ox.NamedNode(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class _Mapper:
    def __init__(self, reader: _Reader, mint: Mint,
                 resolve: Callable[[str], ox.NamedNode | None] | None) -> None:
        self.reader = reader
        self.mint = mint
        self.resolve = resolve
        self.vocab = vocabulary()
        self.triples: dict[tuple[object, object, object], ox.Quad] = {}
        self.notes: list[str] = []
        self.source_titles: dict[str, str] = {}
        self.noted: set[tuple[str, str]] = set()

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.setdefault((s, p, o), ox.Quad(s, p, o))

    def existing(self, row: _Row, column: str, value: str) -> ox.NamedNode | None:
        """An id like ``org/axis-communications`` or a full IRI, used as is."""
        if _EXISTING_ID.fullmatch(value):
            return rid(value)
        if value.startswith(("http://", "https://")):
            try:
                return ox.NamedNode(value)
            except ValueError as exc:
                self.reader.problem(row, column, f"not a valid IRI: {exc}")
                return ox.NamedNode(ID + "invalid")
        return None

    def party(self, row: _Row, role: str) -> ox.NamedNode | None:
        """The supplier or recipient: an id, a resolved name, or a new organisation."""
        id_col = f"{role} id"
        column = id_col if row.cells.get(id_col) else role
        value = row.cells.get(column, "")
        if not value:
            if role == "recipient" and row.cells.get("programme"):
                return None  # a supply to a programme only (the shapes allow it)
            self.reader.problem(row, role, f"the {role} is empty (name the organisation)")
            return None
        country = row.cells.get(f"{role} country", "")
        place = None
        if country:
            place = self.vocab.countries.get(normalise_name(country))
            if place is None:
                close = difflib.get_close_matches(country, self.vocab.country_labels, n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                self.reader.problem(row, f"{role} country", f"unknown country {country!r}{hint}; "
                                    f"use one of the {len(self.vocab.country_labels)} ISO 3166-1 "
                                    "countries by English or Chinese name or ISO code, or "
                                    "leave it empty")
        iri = self.existing(row, column, value)
        if iri is None and self.resolve is not None and column == role:
            iri = self.resolve(value)
        if iri is not None:
            if place is not None and (iri.value, place.value) not in self.noted:
                self.noted.add((iri.value, place.value))
                self.notes.append(f"line {row.line}: {role} country {country!r} not recorded: "
                                  f"{iri.value} is an existing organisation (first "
                                  "mention only)")
            return iri
        org = self.mint("org", normalise_name(value))
        self.add(org, RDF_TYPE, skg("Organisation"))
        self.add(org, RDFS_LABEL, ox.Literal(value))
        if place is not None:
            self.add(org, skg("country"), place)
            self.add(org, skg("locatedIn"), place)
        return org

    def technologies(self, row: _Row) -> list[ox.NamedNode]:
        out = []
        for value in _SPLIT.split(row.cells.get("technology", "")):
            if not value:
                continue
            iri = self.vocab.technologies.get(normalise_name(value.removeprefix(ID)))
            if iri is None:
                self.reader.problem(row, "technology", f"unknown technology {value!r}; use one "
                                    "of: " + "; ".join(self.vocab.technology_labels))
            else:
                out.append(iri)
        return out

    def programmes(self, row: _Row) -> list[ox.NamedNode]:
        out = []
        for value in _SPLIT.split(row.cells.get("programme", "")):
            if not value:
                continue
            iri = self.existing(row, "programme", value)
            if iri is None and self.resolve is not None:
                iri = self.resolve(value)
            if iri is None:
                iri = self.mint("programme", normalise_name(value))
                self.add(iri, RDF_TYPE, skg("SurveillanceProgramme"))
                self.add(iri, RDFS_LABEL, ox.Literal(value))
            out.append(iri)
        return out

    def product(self, row: _Row, supplier: ox.NamedNode | None,
                techs: list[ox.NamedNode]) -> ox.NamedNode | None:
        column = "product id" if row.cells.get("product id") else "product"
        value = row.cells.get(column, "")
        if not value:
            return None
        iri = self.existing(row, column, value)
        if iri is not None:
            return iri
        key = f"{supplier.value.rsplit('/', 1)[-1] if supplier else ''} {normalise_name(value)}"
        iri = self.mint("product", key.strip())
        self.add(iri, RDF_TYPE, skg("Product"))
        self.add(iri, RDFS_LABEL, ox.Literal(value))
        if supplier is not None:
            self.add(iri, skg("maker"), supplier)
        for t in techs:
            self.add(iri, skg("technology"), t)
        return iri

    def level(self, row: _Row, column: str, terms: Sequence[Term]) -> ox.NamedNode | None:
        """The confidence level or status a cell names by its label or local name (any
        case, spacing or punctuation), from the ontology's list."""
        value = row.cells.get(column, "")
        wanted = _squash(value)
        for term in terms:
            if wanted in (_squash(term.label), _squash(term.local)):
                return term.node
        self.reader.problem(row, column, (f"unknown {column} {value!r}" if value else
                                          f"the {column} is empty") + "; use one of: "
                            + ", ".join(t.label for t in terms))
        return None

    def source(self, row: _Row) -> ox.NamedNode | None:
        url = row.cells.get("source url", "")
        if _EXISTING_ID.fullmatch(url) and url.startswith("source/"):
            return rid(url)
        if not _http_url(url):
            self.reader.problem(row, "source url", (f"not an http(s) URL: {url!r}" if url else
                                                    "the source URL is empty")
                                + " (give the web address of the source, https://...)")
            return None
        title = row.cells.get("source title", "")
        if not title:
            self.reader.problem(row, "source title", "the source title is empty")
            return None
        iri = self.mint("source", url)
        known = self.source_titles.setdefault(iri.value, title)
        if known != title:
            self.notes.append(f"line {row.line}: source {url} already has the title {known!r}; "
                              f"{title!r} ignored")
            return iri
        publisher = row.cells.get("source publisher") or (urlsplit(url).hostname or url)
        self.add(iri, RDF_TYPE, skg("Source"))
        self.add(iri, ox.NamedNode(DCTERMS + "title"), ox.Literal(title))
        self.add(iri, RDFS_LABEL, ox.Literal(title))
        self.add(iri, ox.NamedNode(DCTERMS + "publisher"), ox.Literal(publisher))
        self.add(iri, skg("url"), ox.Literal(url, datatype=ANY_URI))
        archived = row.cells.get("archived url", "")
        if archived and not _http_url(archived):
            self.reader.problem(row, "archived url", f"not an http(s) URL: {archived!r}")
        elif archived:
            self.add(iri, skg("archivedUrl"), ox.Literal(archived, datatype=ANY_URI))
        return iri


#: Columns that describe the source of a row rather than the supply (they may differ
#: between rows of one supply).
_SOURCE_COLUMNS = ("source title", "source url", "source publisher", "archived url")


def _supply_key(row: _Row) -> tuple[str, str]:
    """Which supply a row belongs to, and the key its IRI is minted from."""
    fid = row.cells.get("finding id", "")
    content = "\x1f".join(normalise_name(row.cells.get(c, "")) for c in COLUMNS
                          if c not in _SOURCE_COLUMNS and c != "finding id")
    if fid:
        return "id:" + fid, fid
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    short = " ".join(normalise_name(row.cells.get(c, "")) for c in ("supplier", "recipient"))
    return "content:" + content, f"{short} {digest}".strip()


def read_csv_findings(data: bytes, *, name: str, mint: Mint,
                      resolve: Callable[[str], ox.NamedNode | None] | None = None) -> Mapped:
    """Map a findings sheet (CSV bytes) onto supplies, sources and organisations.

    ``name`` is the file name used in problems; ``mint`` makes the IRIs of new resources;
    ``resolve`` (optional) maps an organisation or programme name to an existing IRI.
    Raises :class:`graph.errors.InvalidData` listing every problem of the file.
    """
    reader = _Reader(name)
    notes: list[str] = []
    rows = _rows(_decode(data, name), reader, notes)
    mapper = _Mapper(reader, mint, resolve)
    mapper.notes = notes
    if not rows and not reader.problems:
        reader.problem(None, None, "the sheet has a header but no findings", line=2)
    groups: dict[str, tuple[ox.NamedNode, _Row]] = {}
    for row in rows:
        _map_row(mapper, row, groups)
    if reader.problems:
        first = reader.problems[0]
        count = len(reader.problems)
        raise InvalidData(f"{count} problem{'s' if count != 1 else ''} in the findings sheet; "
                          f"first: {first}", file=name, line=first.line, column=first.column,
                          problems=list(reader.problems))
    shared = sum(1 for _ in rows) - len(groups)
    if shared:
        mapper.notes.append(f"{shared} row(s) added a further source to a supply of an "
                            "earlier row (same finding id or same supply columns)")
    return Mapped(list(mapper.triples.values()), mapper.notes, records=len(groups))


def _map_row(m: _Mapper, row: _Row, groups: dict[str, tuple[ox.NamedNode, _Row]]) -> None:
    group, mint_key = _supply_key(row)
    source = m.source(row)
    if group in groups:
        supply, first = groups[group]
        for col in COLUMNS:
            if col in _SOURCE_COLUMNS or col == "finding id":
                continue
            if row.cells.get(col, "") != first.cells.get(col, ""):
                m.reader.problem(row, col, f"differs from line {first.line}, which has the same "
                                 "finding id: rows of one finding may differ only in their source")
                break
        if source is not None:
            m.add(supply, skg("evidence"), source)
        return
    supply = m.mint("supply", mint_key)
    groups[group] = (supply, row)
    supplier = m.party(row, "supplier")
    recipient = m.party(row, "recipient")
    techs = m.technologies(row)
    programmes = m.programmes(row)
    product = m.product(row, supplier, techs)
    if not techs and product is None and not row.cells.get("technology"):
        m.reader.problem(row, "technology", "give the technology (or at least the product)")
    date_cell = row.cells.get("date", "")
    date = _date(date_cell) if date_cell else None
    if date_cell and date is None:
        m.reader.problem(row, "date", f"not a date: {date_cell!r}; write YYYY, YYYY-MM or "
                         "YYYY-MM-DD (e.g. 2019, 2019-07, 2019-07-15), or leave it empty")
    confidence = m.level(row, "confidence", confidence_levels())
    status = m.level(row, "status", claim_statuses())
    language = row.cells.get("language") or "en"
    if not _LANG.fullmatch(language):
        m.reader.problem(row, "language", f"not a language tag: {language!r} (e.g. en, nl, zh)")
        language = "en"
    note, assessment = row.cells.get("note", ""), row.cells.get("assessment", "")
    if status is not None and status.value.removeprefix(skg("").value) in NEEDS_ASSESSMENT \
            and not assessment:
        m.reader.problem(row, "assessment" if "assessment" in row.columns else "status",
                         "a disputed or unverified finding needs an assessment saying why "
                         "(add an 'assessment' column)")
    m.add(supply, RDF_TYPE, skg("Supply"))
    what = row.cells.get("product") or row.cells.get("technology") or "supply"
    label = f"{row.cells.get('supplier', '')}: {what} to {row.cells.get('recipient', '')}"
    m.add(supply, RDFS_LABEL, ox.Literal(label + (f" ({date_cell})" if date_cell else "")))
    if supplier is not None:
        m.add(supply, skg("supplier"), supplier)
    if recipient is not None:
        m.add(supply, skg("recipient"), recipient)
    for prog in programmes:
        m.add(supply, skg("forProgramme"), prog)
    if product is not None:
        m.add(supply, skg("product"), product)
    for t in techs:
        m.add(supply, skg("technology"), t)
    if date is not None:
        m.add(supply, skg("date"), date)
    date_text = row.cells.get("date text", "")
    if date_text or date is None:
        m.add(supply, skg("dateText"), ox.Literal(date_text or NO_DATE))
    if note:
        m.add(supply, skg("statement"), ox.Literal(note, language=language))
    if assessment:
        m.add(supply, skg("assessment"), ox.Literal(assessment, language=language))
    if confidence is not None:
        m.add(supply, skg("confidence"), confidence)
    if status is not None:
        m.add(supply, skg("status"), status)
    if source is not None:
        m.add(supply, skg("evidence"), source)
