"""Exposure in plain words: every name, date and figure of a summary comes from its result.

The check removes from the summary every string value of the result (labels, dates,
titles, statuses...), then requires that each remaining number is a number of the result
(or the length of one of its lists) and that each remaining word is a word of the
templates in graph/exposure/summary.py. A summary checked against another organisation's
result fails, so the check can fail.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from graph.entities import resolve
from graph.exposure import Filters, exposure, ranking
from graph.exposure import summary as summary_module
from graph.projection import build_projection
from graph.store import OxigraphStore
from tests.pysource import parse_file

NUMBER = re.compile(r"\d+(?:\.\d+)?")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _template_words() -> set[str]:
    tree = parse_file(Path(summary_module.__file__))
    text = " ".join(n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return {w.casefold() for w in WORD.findall(text)}


TEMPLATE = _template_words()


def _walk(value: Any, strings: set[str], numbers: set[float]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        strings.add(value)
    elif isinstance(value, int | float):
        numbers.add(float(value))
    elif isinstance(value, dict):
        for v in value.values():
            _walk(v, strings, numbers)
    elif isinstance(value, list):
        numbers.add(float(len(value)))
        for v in value:
            _walk(v, strings, numbers)


def leftovers(summary: str, result: dict[str, Any]) -> list[str]:
    """What in ``summary`` is neither a value of ``result`` nor a template word."""
    res = dict(result)
    res.pop("summary", None)
    strings: set[str] = set()
    numbers: set[float] = set()
    _walk(res, strings, numbers)
    text = summary
    for s in sorted((s for s in strings if len(s) >= 2), key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(s) + r"(?!\w)", " \x00 ", text)
    bad = []
    for n in NUMBER.findall(text):
        decimals = len(n.split(".")[1]) if "." in n else 0
        if not any(abs(round(v, decimals) - float(n)) < 1e-9 for v in numbers):
            bad.append(n)
    bad += [w for w in WORD.findall(text) if w.casefold() not in TEMPLATE]
    return bad


@pytest.fixture(scope="module")
def proj(seed_store: OxigraphStore) -> Any:
    return build_projection(seed_store)


def test_canon_summary_names_route_targets_evidence_and_time(
        seed_store: OxigraphStore, proj: Any) -> None:
    x = exposure(proj, resolve(seed_store, "Canon").iri)
    s = x.summary
    assert "through Axis Communications, its subsidiary since 2015" in s
    assert "is reported to have supplied" in s and "Skynet" in s
    assert "by location, from China" in s and "flagged directly" in s
    assert "Strongest evidence: 'stated in report'" in s and "weakest: 'reported by press'" in s
    assert "not-controlled" in s
    assert f"As of {x.current['as_of']}" in s if x.current else False
    assert "used to repress" not in s and leftovers(s, x.to_dict()) == []


def test_advent_summary_says_why_not(seed_store: OxigraphStore, proj: Any) -> None:
    x = exposure(proj, resolve(seed_store, "Advent International").iri)
    assert x.score == 0 and x.nearest
    assert "has no exposure path" in x.summary
    assert "outside the period in which its supplier belonged to the group" in x.summary
    assert leftovers(x.summary, x.to_dict()) == []


def test_every_summary_comes_from_its_result(seed_store: OxigraphStore, proj: Any) -> None:
    orgs = [e.subject.iri for e in ranking(proj).entries]
    orgs.append(resolve(seed_store, "Advent International").iri)
    for filters in (Filters(), Filters(as_of="2016", include_unverified=True)):
        for iri in orgs:
            x = exposure(proj, iri, filters)
            assert x.summary
            assert leftovers(x.summary, x.to_dict()) == [], iri
    dated = exposure(proj, orgs[0], Filters(as_of="2016"))
    assert "These figures hold as of 2016." in dated.summary and dated.current is None


def test_the_check_catches_a_foreign_fact(seed_store: OxigraphStore, proj: Any) -> None:
    canon = exposure(proj, resolve(seed_store, "Canon").iri)
    noldus = exposure(proj, resolve(seed_store, "Noldus").iri)
    wrong = leftovers(canon.summary, noldus.to_dict())
    assert "Canon" in wrong and "Axis" in wrong
    assert leftovers(canon.summary + " Score 7.5.", canon.to_dict()) == ["7.5"]


def test_a_market_presence_is_never_told_as_a_sale() -> None:
    """A listing that reaches a risk target is told as a market presence, never "supplied"."""
    import pyoxigraph as ox

    from graph.loading import open_store
    store = open_store(memory=True)
    ttl = """
@prefix skg: <https://w3id.org/survkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <https://w3id.org/survkg/id/org/> .
@prefix source: <https://w3id.org/survkg/id/source/> .
org:test-listed-firm a skg:Company ; rdfs:label "Listed Firm Test"@en .
<https://w3id.org/survkg/id/supply/test-listing> a skg:MarketPresence ;
    rdfs:label "Listed Firm Test listed by the Shanghai bureau"@en ;
    skg:presenceKind skg:Listing ;
    skg:presentFirm org:test-listed-firm ;
    skg:presentAmong org:shanghai-psb ;
    skg:evidence source:s08 ;
    skg:confidence skg:ReportedByPress ;
    skg:status skg:Reported .
"""
    store.extend(ox.Quad(q.subject, q.predicate, q.object,
                         ox.NamedNode("https://w3id.org/survkg/graph/test"))
                 for q in ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    x = exposure(build_projection(store), "https://w3id.org/survkg/id/org/test-listed-firm")
    assert x.score > 0
    assert "is recorded with a market presence (listing; not a recorded sale)" in x.summary
    assert "supplied" not in x.summary.replace(x.wording, "")  # only in the caveat
    assert leftovers(x.summary, x.to_dict()) == []


def test_a_summary_stays_readable_for_an_exporter_with_hundreds_of_targets() -> None:
    """The busiest generated exporter reaches hundreds of targets: the summary names the
    first of each list "and others" and still says nothing its result does not hold."""
    from generated import BUSIEST, generated_store

    from graph.exposure import summary as summary_mod
    from graph.namespaces import ID
    store = generated_store()
    x = exposure(build_projection(store), ID + BUSIEST)
    assert len(x.targets) > summary_mod.MOST_NAMES
    assert "and others" in x.summary
    assert len(x.summary) < 8_000
    assert leftovers(x.summary, x.to_dict()) == []
