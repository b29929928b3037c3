"""The synthetic benchmark graph: deterministic, the size asked for, and valid data."""

from __future__ import annotations

import pyoxigraph as ox

from bench.generate import generate, write
from graph.namespaces import SKG
from graph.validation import validate_quads


def _quads(lines: list[str]) -> list[ox.Quad]:
    return list(ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES))


def test_generated_graph_conforms_to_the_shapes() -> None:
    lines = list(generate(10_000, seed=1))
    report = validate_quads(_quads(lines))
    assert report.conforms, "\n".join(report.violations[:20])


def test_size_determinism_and_no_duplicates() -> None:
    lines = list(generate(20_000, seed=3))
    assert 20_000 <= len(lines) <= 20_030
    assert len(set(lines)) == len(lines)
    assert lines == list(generate(20_000, seed=3))
    assert lines != list(generate(20_000, seed=4))


def test_shortcut_adds_edges_on_top_of_the_same_graph(tmp_path: object) -> None:
    base = list(generate(10_000, seed=2))
    with_shortcut = list(generate(10_000, seed=2, shortcut=True))
    extra = [line for line in with_shortcut if f"<{SKG}suppliesTo>" in line]
    assert extra
    assert [line for line in with_shortcut if line not in set(extra)] == base


def test_shape_of_the_graph() -> None:
    quads = _quads(list(generate(30_000, seed=0)))
    types: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for q in quads:
        if q.predicate.value.endswith("#type"):
            types[q.object.value.removeprefix(SKG)] = types.get(
                q.object.value.removeprefix(SKG), 0) + 1
        if q.predicate.value == SKG + "status":
            statuses[q.object.value.removeprefix(SKG)] = statuses.get(
                q.object.value.removeprefix(SKG), 0) + 1
    for cls in ("Supply", "Ownership", "Succession", "Participation", "RiskFlag", "Product",
                "PublicSecurityBody", "ResearchInstitute", "UnnamedEndUser", "City", "Region",
                "Country", "SurveillanceProgramme", "PressArticle"):
        assert types.get(cls, 0) > 0, cls
    total = sum(statuses.values())
    odd = statuses.get("Disputed", 0) + statuses.get("Unverified", 0)
    assert 0 < odd < 0.15 * total


def test_write_counts_lines(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "g.nt"
    n = write(path, 10_000, seed=5)
    assert n == len(path.read_text(encoding="utf-8").splitlines())


def test_a_broken_record_is_reported() -> None:
    supply0 = "<https://w3id.org/survkg/id/supply/syn-0> "
    lines = [line for line in generate(10_000, seed=1)
             if not (line.startswith(supply0) and f"<{SKG}evidence>" in line)]
    report = validate_quads(_quads(lines))
    assert not report.conforms
    assert any("supply/syn-0" in v and "source" in v for v in report.violations)
