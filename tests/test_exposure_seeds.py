"""The exposure engine on the seed graph agrees with the fact sheet."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.exposure import Filters, chokepoints, exposure, ranking, suppliers, why_not
from graph.projection import Projection, ProjectionCache
from graph.store import OxigraphStore, Store
from tests.exposure_helpers import iri


@pytest.fixture(scope="module")
def proj(any_seed_store: Store) -> Projection:
    """Built over the embedded store, then over ``oxigraph serve``: the same answers."""
    return ProjectionCache(any_seed_store).get()


def targets(proj: Projection, org: str, **kw: object) -> set[str]:
    e = exposure(proj, iri(org), Filters(**kw))  # type: ignore[arg-type]
    return {p.target.id for p in e.paths}


def test_noldus_reaches_xinjiang_end_users(proj: Projection) -> None:
    e = exposure(proj, iri("org/noldus"))
    reached = {p.target.id for p in e.paths}
    assert {"org/xinjiang-normal-university", "org/xinjiang-paramilitary-university"} <= reached
    xjnu = next(p for p in e.paths if p.target.id == "org/xinjiang-normal-university")
    assert [pl.id for pl in xjnu.target.places][:2] == ["place/xinjiang", "place/china"]
    assert any(r.inherited["how"] == "location" for r in xjnu.target.risk_indicators)
    assert all(h.evidence for h in xjnu.hops)


def test_axis_reaches_skynet_and_sharp_eyes(proj: Projection) -> None:
    assert {"programme/skynet", "programme/sharp-eyes"} <= targets(proj, "org/axis-communications")


def test_idemia_inherits_morphos_2015_supply(proj: Projection) -> None:
    e = exposure(proj, iri("org/idemia"))
    assert "org/morpho" in {m.entity.id for m in e.group}
    p = next(p for p in e.paths if p.hops[0].relation["id"] == "supply/t-01")
    assert p.nodes[0].id == "org/morpho" and p.target.id == "org/shanghai-psb"
    assert p.hops[0].responses, "Idemia's response is attached to T-01"


def test_canon_includes_axis(proj: Projection) -> None:
    canon = exposure(proj, iri("org/canon"))
    axis = exposure(proj, iri("org/axis-communications"))
    assert "org/axis-communications" in {m.entity.id for m in canon.group}
    assert {p.target.id for p in axis.paths} <= {p.target.id for p in canon.paths}
    assert canon.score >= axis.score > 0


def test_minority_stake_not_in_group(proj: Projection) -> None:
    assert "org/idemia" not in {m.entity.id for m in exposure(proj, iri("org/bpifrance")).group}


def test_unverified_m04_only_when_asked(proj: Projection) -> None:
    def rels(e: object) -> set[str]:
        return {h.relation["id"] for p in e.paths for h in p.hops}  # type: ignore[attr-defined]

    default = exposure(proj, iri("org/axis-communications"))
    assert "supply/m-04" not in rels(default)
    asked = exposure(proj, iri("org/axis-communications"), Filters(include_unverified=True))
    marked = [p for p in asked.paths if any(h.relation["id"] == "supply/m-04" for h in p.hops)]
    assert marked and all(not p.counts for p in marked)
    assert asked.score >= default.score


def test_control_status_and_reverse_views(proj: Projection) -> None:
    e = exposure(proj, iri("org/idemia"))
    assert all(p.control_status.status in {"annex-i", "catch-all-only", "not-controlled",
                                           "unknown"} for p in e.paths)
    s = suppliers(proj, iri("org/shanghai-psb"))
    assert {"org/morpho", "org/axis-communications"} <= {x.supplier.id for x in s.suppliers}
    r = ranking(proj)
    assert {"org/axis-communications", "org/noldus", "org/canon"} <= {
        x.subject.id for x in r.entries}
    c = chokepoints(proj)
    assert c.total_paths > 0 and c.cut_size >= 1
    w = why_not(proj, iri("org/noldus"), iri("programme/skynet"))
    assert not w.reachable and w.reasons
    json.dumps(e.to_dict())


def test_cli_exposure(seed_store: OxigraphStore, tmp_path: object) -> None:
    runner = CliRunner()
    from pathlib import Path
    store = Path(str(tmp_path)) / "store"
    out = runner.invoke(cli, ["exposure", "Noldus", "--store", str(store), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["subject"]["id"] == "org/noldus" and data["paths"]
    table = runner.invoke(cli, ["suppliers", "org/shanghai-psb", "--store", str(store)])
    assert table.exit_code == 0 and "Morpho" in table.output
    bad = runner.invoke(cli, ["exposure", "Nobody Whatsoever", "--store", str(store)])
    assert bad.exit_code == 1 and "no entity matches" in bad.output
    ranked = runner.invoke(cli, ["ranking", "--store", str(store), "--format", "json"])
    assert ranked.exit_code == 0, ranked.output
    order = [e["subject"]["id"] for e in json.loads(ranked.output)["entries"]]
    assert order[:2] == ["org/axis-communications", "org/canon"] or \
        order[:2] == ["org/canon", "org/axis-communications"]  # Canon's score is Axis's
    assert "org/noldus" in order and "org/idemia" in order and "org/bpifrance" not in order
    why = runner.invoke(cli, ["why-not", "Axis", "org/unnamed-xinjiang-end-users",
                              "--store", str(store)])
    assert why.exit_code == 0 and "unverified" in why.output and "supply/m-04" in why.output
    for args in (["paths", "Noldus", "Sharp Eyes"], ["chokepoints", "--exporter", "Axis"],
                 ["ranking", "--include-unverified"]):
        res = runner.invoke(cli, [*args, "--store", str(store)])
        assert res.exit_code == 0, res.output
