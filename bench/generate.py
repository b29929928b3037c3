"""Synthetic supply-chain graphs shaped like the seeds, for benchmarks (10k to 10M triples).

The graph is fictitious and says so: every resource is ``https://w3id.org/survkg/id/<kind>/syn-...``,
organisations and end-user countries have invented names, and risk flags are raised only
on invented places, programmes and organisations (exporters sit in real EU countries,
under invented names, because that is the shape of the data the benchmarks stand in for).

Shape (per million triples, roughly): 1,500 exporters in 12 EU countries, 250 parent
groups with dated ownership (some divestments, some minority stakes) and successions
(renames, mergers), 5,000 resellers, 29,000 end users (public-security bodies, government
bodies, universities, companies, unnamed end users) located city > region > country,
200 programmes (national ones and local ones that are part of them, with participation),
4,500 products with technologies from ``ontology/technologies.ttl``, and about 62,000
reified ``skg:Supply`` records with 0-2 intermediaries, a date or period, 1-2 sources each
(typed ``skg:PressArticle`` etc., with title, publisher, date and URL), a confidence and
a status (5 % disputed or unverified, each with an assessment). Supplier, recipient,
intermediary and source degrees are Zipf-skewed. Some regions, countries, programmes and
organisations carry ``skg:RiskFlag`` records with the indicators of
``ontology/risk-indicators.ttl``, chosen by each indicator's propagation rule.
8 % of supplies go exporter -> reseller and 8 % reseller -> end user, so that
reachability has more than one hop.

Determinism: the same ``(n_triples, seed)`` gives the same lines in the same order. The
base graph has no duplicate triples and no blank nodes, so its line count is the number
of quads a store holds after loading it. Generation stops after the record that reaches
``n_triples``: the output has ``n_triples`` to ``n_triples + 30`` base lines.

``shortcut=True`` adds one ``skg:suppliesTo`` triple supplier -> recipient per distinct
pair (the materialised shortcut for SPARQL property-path comparisons; see the ontology).
These lines come on top of ``n_triples`` and do not change the random stream: the base
graph is the same with and without them.

Usage::

    python -m bench.generate --triples 1000000 -o /tmp/x.nt [--seed 0] [--shortcut]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from graph.namespaces import DCTERMS, ID, RDF, RDFS, SKG, XSD

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

# ------------------------------------------------------------------ terms as N-Triples text

A = f"<{RDF}type>"
LABEL = f"<{RDFS}label>"
TITLE = f"<{DCTERMS}title>"
PUBLISHER = f"<{DCTERMS}publisher>"


def _p(local: str) -> str:
    return f"<{SKG}{local}>"


def _c(local: str) -> str:
    return f"<{SKG}{local}>"


def _r(local: str) -> str:
    return f"<{ID}{local}>"


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _en(text: str) -> str:
    return f'"{_esc(text)}"@en'


def _str(text: str) -> str:
    return f'"{_esc(text)}"'


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


SUPPLIER, RECIPIENT, INTERMEDIARY = _p("supplier"), _p("recipient"), _p("intermediary")
FOR_PROGRAMME, PRODUCT, TECHNOLOGY = _p("forProgramme"), _p("product"), _p("technology")
DATE, START, END = _p("date"), _p("startDate"), _p("endDate")
EVIDENCE, CONFIDENCE, STATUS = _p("evidence"), _p("confidence"), _p("status")
ASSESSMENT, URL, LOCATED_IN, COUNTRY = (_p("assessment"), _p("url"), _p("locatedIn"),
                                        _p("country"))
MAKER, SUPPLIES_TO = _p("maker"), _p("suppliesTo")

EU_COUNTRIES: tuple[tuple[str, str, str], ...] = (
    # (code, name, legal suffix of the invented companies)
    ("fr", "France", "SAS"), ("se", "Sweden", "AB"), ("nl", "Netherlands", "B.V."),
    ("de", "Germany", "GmbH"), ("it", "Italy", "S.p.A."), ("es", "Spain", "S.L."),
    ("fi", "Finland", "Oy"), ("dk", "Denmark", "A/S"), ("be", "Belgium", "NV"),
    ("at", "Austria", "GmbH"), ("ie", "Ireland", "Ltd"), ("cz", "Czechia", "s.r.o."),
)
SYLLABLES = ("ar", "bel", "cor", "dan", "el", "fen", "gar", "hal", "ist", "jor", "kel", "lum",
             "mor", "nor", "or", "pel", "quin", "ros", "sel", "tor", "ul", "ver", "wen", "xan",
             "yor", "zel", "vik", "tek", "lin", "sia")
BRANDS = ("Vision", "Sense", "Secure", "Optics", "Systems", "Analytics", "Labs", "Networks",
          "Identity", "Signal", "Data", "Insight")
USER_KINDS: tuple[tuple[str, str, int], ...] = (
    # (class, label pattern, weight)
    ("PublicSecurityBody", "{city} Public Security Bureau {i}", 50),
    ("GovernmentBody", "{city} Municipal Bureau {i}", 10),
    ("ResearchInstitute", "{city} Institute of Technology {i}", 15),
    ("Company", "{name} Integration Co. {i}", 15),
    ("UnnamedEndUser", "unnamed end users in {city} ({i})", 10),
)
SOURCE_KINDS: tuple[tuple[str, int], ...] = (
    ("PressArticle", 45), ("Report", 15), ("ProcurementRecord", 20),
    ("CompanyStatement", 8), ("GovernmentRecord", 7), ("Analysis", 5),
)
PUBLISHERS = ("The Daily Ledger", "Nordic Wire", "Tender Watch", "Rights Monitor",
              "Export Observer", "Policy Review", "City Gazette", "Trade Journal")
CONFIDENCES: tuple[tuple[str, int], ...] = (
    ("StatedInReport", 25), ("PrimaryNonReport", 10), ("ReportedByPress", 50), ("Inferred", 15))
STATUSES: tuple[tuple[str, int], ...] = (
    ("Confirmed", 20), ("Reported", 55), ("Alleged", 20), ("Disputed", 2), ("Unverified", 3))


def technologies() -> list[str]:
    """Technology IRIs from ``ontology/technologies.ttl`` (so the generator follows the file)."""
    path = ROOT / "ontology" / "technologies.ttl"
    tech = ox.NamedNode(SKG + "Technology")
    return sorted(t.subject.value for t in ox.parse(path=str(path))
                  if t.predicate.value == RDF + "type" and t.object == tech)


def risk_indicators() -> dict[str, tuple[str, str | None]]:
    """Risk indicator IRI -> (propagation local name, applies-to class local name or None)."""
    path = ROOT / "ontology" / "risk-indicators.ttl"
    props: dict[str, dict[str, str]] = {}
    for t in ox.parse(path=str(path)):
        props.setdefault(t.subject.value, {})[t.predicate.value] = t.object.value
    out: dict[str, tuple[str, str | None]] = {}
    for iri, p in sorted(props.items()):
        if p.get(RDF + "type") != SKG + "RiskIndicator":
            continue
        applies = p.get(SKG + "appliesToClass")
        out[iri] = (p[SKG + "propagation"].removeprefix(SKG),
                    applies.removeprefix(SKG) if applies else None)
    return out


class _Zipf:
    """Draws indices 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        self.cum = list(itertools.accumulate(1.0 / (k + 1) ** s for k in range(n)))
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self) -> int:
        return bisect.bisect_left(self.cum, self.rng.random() * self.total)


def _weighted(rng: random.Random, items: Sequence[tuple[str, int]]) -> Callable[[], str]:
    names = [n for n, _ in items]
    cum = list(itertools.accumulate(w for _, w in items))

    def draw() -> str:
        return rng.choices(names, cum_weights=cum)[0]
    return draw


class _Gen:
    """One generation run; ``out`` collects lines that ``generate`` yields in batches."""

    def __init__(self, n_triples: int, seed: int, shortcut: bool) -> None:
        self.n = n_triples
        self.rng = random.Random(seed)
        self.shortcut = shortcut
        self.out: list[str] = []
        self.count = 0  # base triples emitted (shortcut lines excluded)
        self.tech = [f"<{t}>" for t in technologies()]
        self.indicators = risk_indicators()
        self.sources: list[str] = []
        self.source_pick: _Zipf | None = None
        self.pairs: set[tuple[str, str]] = set()
        self.confidence = _weighted(self.rng, CONFIDENCES)
        self.status = _weighted(self.rng, STATUSES)
        self.source_kind = _weighted(self.rng, SOURCE_KINDS)
        self.user_kind = _weighted(self.rng, [(k, w) for k, _, w in USER_KINDS])
        self.patterns = {k: p for k, p, _ in USER_KINDS}

    # -- emission

    def t(self, s: str, p: str, o: str) -> None:
        self.out.append(f"{s} {p} {o} .\n")
        self.count += 1

    def name(self, parts: int = 2) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

    def date(self, lo: int = 2008, hi: int = 2023) -> str:
        y = self.rng.randint(lo, hi)
        return f"{y}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def date_value(self, lo: int = 2008, hi: int = 2023) -> str:
        if self.rng.random() < 0.6:
            return _typed(self.date(lo, hi), "date")
        if self.rng.random() < 0.5:
            return _typed(f"{self.rng.randint(lo, hi)}-{self.rng.randint(1, 12):02d}",
                          "gYearMonth")
        return _typed(str(self.rng.randint(lo, hi)), "gYear")

    def source(self) -> str:
        """A fresh source (60 %) or an earlier one (Zipf over the first ones made)."""
        if self.sources and self.rng.random() < 0.4:
            if self.source_pick is None or len(self.source_pick.cum) < len(self.sources) // 2:
                self.source_pick = _Zipf(len(self.sources), 1.0, self.rng)
            return self.sources[self.source_pick()]
        i = len(self.sources)
        s = _r(f"source/syn-{i}")
        kind = self.source_kind()
        publisher = self.rng.choice(PUBLISHERS)
        self.t(s, A, _c(kind))
        self.t(s, TITLE, _en(f"{self.name(3)} {self.rng.choice(BRANDS).lower()} "
                             f"deal reported ({i})"))
        self.t(s, PUBLISHER, _str(publisher))
        self.t(s, DATE, self.date_value(2010, 2024))
        self.t(s, URL, _typed(f"https://news.example.org/syn/{i}", "anyURI"))
        self.sources.append(s)
        return s

    def claim(self, s: str) -> None:
        """Evidence (1-2 distinct sources), confidence and status of claim ``s``."""
        first = self.source()
        self.t(s, EVIDENCE, first)
        if self.rng.random() < 0.4:
            second = self.source()
            if second != first:
                self.t(s, EVIDENCE, second)
        self.t(s, CONFIDENCE, _c(self.confidence()))
        status = self.status()
        self.t(s, STATUS, _c(status))
        if status in {"Disputed", "Unverified"}:
            self.t(s, ASSESSMENT, _en("Synthetic: not corroborated by the other sources."))

    def place(self, iri: str, cls: str, label: str, parent: str | None) -> None:
        self.t(iri, A, _c(cls))
        self.t(iri, LABEL, _en(label))
        if parent is not None:
            self.t(iri, LOCATED_IN, parent)

    def org(self, iri: str, cls: str, label: str, city: str, country: str) -> None:
        self.t(iri, A, _c(cls))
        self.t(iri, LABEL, _en(label))
        self.t(iri, LOCATED_IN, city)
        self.t(iri, COUNTRY, country)

    # -- the graph

    def run(self) -> Iterator[list[str]]:
        n, rng = self.n, self.rng
        # Places: EU countries (exporters) and invented end-user countries, city > region > country.
        eu_cities: list[tuple[str, str, str]] = []  # (city, country, legal suffix)
        for code, cname, suffix in EU_COUNTRIES:
            country = _r(f"place/syn-{code}")
            self.place(country, "Country", cname, None)
            for r in range(2):
                region = _r(f"place/syn-{code}-r{r}")
                self.place(region, "Region", f"{self.name()} ({cname})", country)
                for c in range(2):
                    city = _r(f"place/syn-{code}-r{r}-c{c}")
                    self.place(city, "City", self.name(), region)
                    eu_cities.append((city, country, suffix))
        n_countries = min(40, max(3, n // 50_000))
        n_cities = max(10, n // 2000)
        countries: list[str] = []
        regions: list[tuple[str, str]] = []  # (region, country)
        for k in range(n_countries):
            country = _r(f"place/syn-country-{k}")
            self.place(country, "Country", self.name(3), None)
            countries.append(country)
            for r in range(rng.randint(2, 8)):
                region = _r(f"place/syn-country-{k}-r{r}")
                self.place(region, "Region", self.name(3), country)
                regions.append((region, country))
        cities: list[tuple[str, str, str]] = []  # (city, label, country)
        for i in range(n_cities):
            region, country = regions[i % len(regions)] if i < len(regions) else \
                rng.choice(regions)
            city = _r(f"place/syn-city-{i}")
            label = self.name(rng.randint(2, 3))
            self.place(city, "City", label, region)
            cities.append((city, label, country))
        city_pick = _Zipf(len(cities), 0.7, rng)

        # Exporters, their parent groups, ownership and successions.
        n_exp = max(5, n // 670)
        exporters: list[str] = []
        for i in range(n_exp):
            city, country, suffix = rng.choice(eu_cities)
            iri = _r(f"org/syn-exporter-{i}")
            self.org(iri, "Company", f"{self.name()} {rng.choice(BRANDS)} {suffix}", city,
                     country)
            exporters.append(iri)
        groups = []
        for i in range(max(2, n_exp // 6)):
            city, country, suffix = rng.choice(eu_cities)
            iri = _r(f"org/syn-group-{i}")
            self.org(iri, "Company", f"{self.name()} Group {suffix}", city, country)
            groups.append(iri)
        group_pick = _Zipf(len(groups), 1.0, rng)
        for i, exp in enumerate(exporters):
            if rng.random() >= 0.5:
                continue
            parents = [groups[group_pick()]]
            if rng.random() < 0.15:  # divested and bought by another group
                other = groups[group_pick()]
                if other != parents[0]:
                    parents.append(other)
            change = rng.randint(2012, 2021)
            for j, parent in enumerate(parents):
                own = _r(f"ownership/syn-{i}-{j}")
                self.t(own, A, _c("Ownership"))
                self.t(own, _p("parentOrganisation"), parent)
                self.t(own, _p("subsidiary"), exp)
                start = rng.randint(1995, change - 1) if j == 0 else change
                self.t(own, START, _typed(str(start), "gYear"))
                if j == 0 and len(parents) > 1:
                    self.t(own, END, _typed(str(change), "gYear"))
                if rng.random() < 0.1:
                    self.t(own, _p("controlling"), _typed("false", "boolean"))
                self.claim(own)
        for i in range(max(1, n_exp // 25)):
            pred, succ = rng.sample(exporters, 2)
            suc = _r(f"succession/syn-{i}")
            self.t(suc, A, _c("Succession"))
            self.t(suc, _p("predecessor"), pred)
            self.t(suc, _p("successor"), succ)
            self.t(suc, DATE, _typed(str(rng.randint(2010, 2022)), "gYear"))
            self.t(suc, _p("changeKind"), _str(rng.choice(("rename", "merger", "acquisition"))))
            self.claim(suc)

        # Resellers and end users, in the invented countries.
        resellers = []
        for i in range(max(5, n // 200)):
            city, label, country = cities[city_pick()]
            iri = _r(f"org/syn-reseller-{i}")
            self.org(iri, "Company", f"{label} {rng.choice(BRANDS)} Trading {i}", city, country)
            resellers.append(iri)
        users: list[tuple[str, str]] = []  # (iri, class)
        for i in range(max(20, n // 35)):
            city, label, country = cities[city_pick()]
            kind = self.user_kind()
            iri = _r(f"org/syn-user-{i}")
            text = self.patterns[kind].format(city=label, name=self.name(), i=i)
            self.org(iri, kind, text, city, country)
            users.append((iri, kind))

        # Programmes: national ones, and local ones that are part of them.
        programmes = []
        national: list[str] = []
        for i in range(max(3, n // 5000)):
            iri = _r(f"programme/syn-{i}")
            self.t(iri, A, _c("SurveillanceProgramme"))
            if i < 2 or rng.random() < 0.3:
                self.t(iri, LABEL, _en(f"{self.name()} Eyes national programme {i}"))
                self.t(iri, LOCATED_IN, rng.choice(countries))
                national.append(iri)
            else:
                region, _ = rng.choice(regions)
                self.t(iri, LABEL, _en(f"{self.name()} city project {i}"))
                self.t(iri, LOCATED_IN, region)
                part = _r(f"participation/syn-programme-{i}")
                self.t(part, A, _c("Participation"))
                self.t(part, _p("participant"), iri)
                self.t(part, _p("inProgramme"), rng.choice(national))
                self.t(part, _p("role"), _str("part of"))
                self.claim(part)
            self.t(iri, START, _typed(str(rng.randint(2005, 2018)), "gYear"))
            programmes.append(iri)
        prog_pick = _Zipf(len(programmes), 1.0, rng)
        for i, (user, _kind) in enumerate(users):
            if rng.random() < 0.08:
                part = _r(f"participation/syn-{i}")
                self.t(part, A, _c("Participation"))
                self.t(part, _p("participant"), user)
                self.t(part, _p("inProgramme"), programmes[prog_pick()])
                self.t(part, _p("role"), _str(rng.choice(("operates", "participates", "leads"))))
                self.claim(part)

        # Risk flags, on targets chosen by each indicator's propagation rule.
        for ind, (propagation, applies) in self.indicators.items():
            name = ind.rsplit("/", 1)[-1]
            if propagation == "ByLocation" and applies is None:
                targets = [r for r, _ in regions if rng.random() < 0.08] or [regions[0][0]]
            elif propagation == "ByLocation":
                targets = [c for c in countries if rng.random() < 0.3] or [countries[0]]
            elif propagation == "ByParticipation":
                targets = [p for p in national if rng.random() < 0.6] or [national[0]]
            else:
                wanted = "ResearchInstitute" if "security" in name else "Company"
                targets = [u for u, k in users if k == wanted and rng.random() < 0.03]
            for target in targets:
                flag = _r(f"flag/{target.rsplit('/', 1)[-1][:-1]}-{name}")
                self.t(flag, A, _c("RiskFlag"))
                self.t(flag, _p("flagged"), target)
                self.t(flag, _p("indicator"), f"<{ind}>")
                self.claim(flag)

        # Products.
        products: dict[str, list[tuple[str, str, str]]] = {}  # maker -> (iri, label, tech)
        k = 0
        tech_pick = _Zipf(len(self.tech), 0.8, rng)
        for exp in exporters:
            for _ in range(1 + min(5, int(rng.paretovariate(1.5)) - 1)):
                iri = _r(f"product/syn-{k}")
                tech = self.tech[tech_pick()]
                label = f"{self.name()} {rng.choice(BRANDS)} {k}"
                self.t(iri, A, _c("Product"))
                self.t(iri, LABEL, _en(label))
                self.t(iri, MAKER, exp)
                self.t(iri, TECHNOLOGY, tech)
                if rng.random() < 0.2:
                    other = self.tech[tech_pick()]
                    if other != tech:
                        self.t(iri, TECHNOLOGY, other)
                products.setdefault(exp, []).append((iri, label, tech))
                k += 1
        yield self.flush()

        # Supplies, until the budget is spent.
        exp_pick = _Zipf(len(exporters), 1.0, rng)
        res_pick = _Zipf(len(resellers), 0.9, rng)
        user_pick = _Zipf(len(users), 0.8, rng)
        all_products = [p for exp in exporters for p in products[exp]]
        i = 0
        while self.count < n:
            roll = rng.random()
            if roll < 0.08:
                supplier = exporters[exp_pick()]
                recipient: str | None = resellers[res_pick()]
            elif roll < 0.16:
                supplier = resellers[res_pick()]
                recipient = users[user_pick()][0]
            else:
                supplier = exporters[exp_pick()]
                recipient = users[user_pick()][0] if rng.random() >= 0.03 else None
            s = _r(f"supply/syn-{i}")
            self.t(s, A, _c("Supply"))
            self.t(s, SUPPLIER, supplier)
            programme = None
            if recipient is not None:
                self.t(s, RECIPIENT, recipient)
                if rng.random() < 0.2:
                    programme = programmes[prog_pick()]
            else:
                programme = programmes[prog_pick()]
            if programme is not None:
                self.t(s, FOR_PROGRAMME, programme)
            hops = rng.random()
            n_int = 0 if hops < 0.7 else 1 if hops < 0.92 else 2
            seen = {supplier, recipient}
            for _ in range(n_int):
                via = resellers[res_pick()]
                if via not in seen:
                    self.t(s, INTERMEDIARY, via)
                    seen.add(via)
            made = products.get(supplier) or [rng.choice(all_products)]
            if rng.random() < 0.8:
                product, what, tech = rng.choice(made)
                self.t(s, PRODUCT, product)
                if rng.random() < 0.5:
                    self.t(s, TECHNOLOGY, tech)
            else:
                tech = self.tech[tech_pick()]
                what = tech.rsplit("/", 1)[-1][:-1].replace("-", " ")
                self.t(s, TECHNOLOGY, tech)
            self.t(s, LABEL, _en(f"supply of {what} ({i})"))
            when = rng.random()
            if when < 0.7:
                self.t(s, DATE, self.date_value())
            else:
                start = rng.randint(2008, 2021)
                self.t(s, START, _typed(str(start), "gYear"))
                if when < 0.9:
                    self.t(s, END, _typed(str(rng.randint(start, 2023)), "gYear"))
            self.claim(s)
            end = recipient if recipient is not None else programme
            if self.shortcut and end is not None and (supplier, end) not in self.pairs:
                self.pairs.add((supplier, end))
                self.out.append(f"{supplier} {SUPPLIES_TO} {end} .\n")
            i += 1
            if len(self.out) >= 50_000:
                yield self.flush()
        yield self.flush()

    def flush(self) -> list[str]:
        out, self.out = self.out, []
        return out


def generate(n_triples: int, seed: int = 0, shortcut: bool = False) -> Iterator[str]:
    """N-Triples lines (each ending with a newline) of a synthetic graph of ~``n_triples``.

    ``f.writelines(generate(...))`` writes a valid N-Triples file.
    """
    if n_triples < 1:
        raise ValueError("n_triples must be positive")
    for batch in _Gen(n_triples, seed, shortcut).run():
        yield from batch


def write(path: Path | str, n_triples: int, seed: int = 0, shortcut: bool = False) -> int:
    """Write the graph to ``path`` (N-Triples); returns the number of lines written."""
    lines = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for batch in _Gen(n_triples, seed, shortcut).run():
            f.writelines(batch)
            lines += len(batch)
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, required=True, help="target size (base triples)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shortcut", action="store_true",
                    help="add skg:suppliesTo supplier -> recipient edges (on top of --triples)")
    ap.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.output == "-":
        lines = 0
        for batch in _Gen(args.triples, args.seed, args.shortcut).run():
            sys.stdout.writelines(batch)
            lines += len(batch)
    else:
        lines = write(args.output, args.triples, args.seed, args.shortcut)
    print(f"{lines} lines in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
