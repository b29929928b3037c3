"""The pages at scale and on a phone, in headless Chromium against a real server.

On a generated graph (tests/generated.py) the explorer opens on its aggregated overview
(positions from the server, no layout in the page), a group drills down to its
best-connected members, and an expanded node's neighbours are placed around it, not piled
at the origin. Every page fits a 390 px phone screen, and axe-core (npm, served from this
machine) finds no serious or critical violation on any of them.

The same checks run at a million triples on disk in tests/test_pages_1m.py; the
page's long tasks and times are recorded by ``bench/bench_pages.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from generated import BUSIEST, generated_store
from web_server import live_server

from api.sparql.editor import DEFAULT_ASSETS
from graph.store import OxigraphStore
from tests.paths import SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AXE = DEFAULT_ASSETS / "axe-core" / "axe.min.js"
#: Every kind of page (axe-core runs on each); then more of the same kinds (width only).
SEED_PAGES = ["/", "/entity/org/axis-communications", "/exposure/org/canon", "/explore",
              "/search?q=Cannon", "/ontology", "/sparql", "/no/such/page",
              "/exposure/source/s03"]
SEED_MORE = ["/search?q=axis", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
             "/entity/source/s03", "/entity/place/xinjiang", "/entity/org/shanghai-psb"]
BIG_PAGES = [f"/entity/{BUSIEST}", f"/exposure/{BUSIEST}", "/explore"]
BIG_MORE = [f"/entity/{BUSIEST}?kind=Supply&offset=50", f"/exposure/{BUSIEST}?page=2"]


@pytest.fixture(scope="module")
def seed_base(seed_store: OxigraphStore) -> Iterator[str]:
    with live_server(seed_store) as url:
        yield url


@pytest.fixture(scope="module")
def big_base() -> Iterator[str]:
    with live_server(generated_store()) as url:
        yield url


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    # bypass_csp lets the test add axe-core's <script> to pages whose CSP allows only 'self'.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


def settle(pg: Any) -> None:
    """Scripts have run and the data the page fetches at once has arrived (the width of a
    page does not wait for its drawing's layout)."""
    pg.wait_for_load_state("load")
    pg.wait_for_function("() => !document.querySelector('[data-loading]')")


def axe_violations(pg: Any) -> list[str]:
    pg.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = pg.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found
            if v["impact"] in ("serious", "critical")]


def check_phone_pages(pg: Any, base: str, paths: list[str], more: list[str]) -> None:
    """``paths`` fit 390 px and pass axe-core; ``more`` fit 390 px."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make assets`")
    problems: dict[str, Any] = {}
    for path in paths + more:
        pg.goto(base + path)
        settle(pg)
        width = pg.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            problems[path] = f"{width} px wide"
        bad = axe_violations(pg) if path in paths else []
        if bad:
            problems[path] = bad
    assert not problems, problems


def test_seed_pages_fit_a_phone_and_pass_axe(phone: Any, seed_base: str) -> None:
    check_phone_pages(phone, seed_base, SEED_PAGES, SEED_MORE)
    phone.goto(seed_base + "/entity/org/axis-communications")
    settle(phone)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "phone-entity.png"))


def test_big_pages_fit_a_phone_and_pass_axe(phone: Any, big_base: str) -> None:
    check_phone_pages(phone, big_base, BIG_PAGES, BIG_MORE)


def test_overview_drill_down_and_expand(desk: Any, big_base: str) -> None:
    pg = desk
    pg.goto(big_base + "/explore")
    pg.wait_for_selector("#graph[data-mode='overview'][data-stable='1']")
    groups = pg.evaluate("() => window.survkgGraph.nodeView.getIds()")
    assert 2 <= len(groups) <= 61 and all(g.startswith("group:") for g in groups)
    assert pg.locator("#node-table-body tr").count() == len(groups)
    # Drill down from the table (the keyboard path): the first group is the largest.
    pg.locator("#node-table-body button").first.focus()
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#graph[data-mode='group'][data-stable='1']")
    members = pg.evaluate("() => window.survkgGraph.nodeView.getIds()")
    assert 1 < len(members) <= 150
    # Select the best-connected member in the table, then expand it from the info panel.
    pg.locator("#node-table-body button").first.click()
    pg.wait_for_selector("#info button.expand")
    node = pg.get_attribute("#info button.expand", "data-expand")
    pg.click("#info button.expand")
    pg.wait_for_function("n => window.survkgGraph.nodeView.getIds().length > n", arg=len(members))
    pos = pg.evaluate("""() => { const g = window.survkgGraph;
        return g.network.getPositions(g.nodeView.getIds()); }""")
    fresh = [p for n, p in pos.items() if n not in set(members)]
    assert fresh and node in pos
    # New nodes start spread around the expanded one, not piled on one point.
    assert len({(round(p["x"]), round(p["y"])) for p in fresh}) == len(fresh)
    assert pg.locator("#whole-gexf").get_attribute("href").startswith("/api/graph?format=gexf")
