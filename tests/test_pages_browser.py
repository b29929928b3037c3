"""The pages in headless Chromium against a real server: graphs render, clicks show
evidence, the exposure view highlights the API's path, the as-of slider hides an ended
relation, PNG export produces an image, no request leaves 127.0.0.1, and a graph full of
hostile labels runs no script. Screenshots go to $SURVKG_SCREENSHOTS (`make screenshots`).

One browser per session; one server on the seeds and one on the hostile fixture.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import networkx as nx
import pytest
from web_server import hostile_store, live_server

from graph.store import OxigraphStore
from tests.paths import SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


SHOTS = SCREENSHOTS
STABLE = "#graph[data-stable='1']"


@pytest.fixture(scope="module")
def base(seed_store: OxigraphStore) -> Iterator[str]:
    with live_server(seed_store) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_base() -> Iterator[str]:
    with live_server(hostile_store()) as url:
        yield url


class Watch:
    """Every request a page makes, console errors, dialogs (injected script would open)."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()
        page.on("dialog", dialog)

    def assert_local(self) -> None:
        hosts = {urlsplit(u).hostname for u in self.requests if not u.startswith(("blob:",
                                                                                  "data:"))}
        assert hosts <= {"127.0.0.1"}, hosts
        real = [e for e in self.errors if "favicon" not in e and "404" not in e]
        assert not real, real


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  accept_downloads=True)
    pg = context.new_page()
    watch = Watch(pg)
    yield pg, watch
    watch.assert_local()
    context.close()


def node_ids(pg: Any) -> set[str]:
    return set(pg.evaluate("() => window.survkgGraph.nodeView.getIds()"))


def visible_edges(pg: Any) -> list[dict[str, Any]]:
    return list(pg.evaluate(
        "() => window.survkgGraph.edgeView.get().map(e => ({id: e.id, from: e.from, "
        "to: e.to, claim: e.claim, kind: e.kind}))"))


def click_node(pg: Any, node: str) -> None:
    pos = pg.evaluate("id => window.SKG.nodeDomPosition(window.survkgGraph, id)", node)
    assert pos, node
    box = pg.locator("#graph canvas").bounding_box()
    pg.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def shot(pg: Any, name: str) -> None:
    """A screenshot for the README, taken from the top of the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.evaluate("() => window.scrollTo(0, 0)")
    pg.screenshot(path=str(SHOTS / name))


def test_home(page: tuple[Any, Watch], base: str) -> None:
    pg, _ = page
    pg.goto(base + "/")
    assert "Axis Communications" in pg.locator("table.rank").inner_text()
    pg.fill("#q-home", "公安")
    pg.wait_for_function("() => document.querySelectorAll('#q-home-suggest option').length > 0")
    shot(pg, "home.png")


def test_entity_page_graph_and_click_shows_evidence(page: tuple[Any, Watch], base: str) -> None:
    pg, _ = page
    pg.goto(base + "/entity/org/axis-communications")
    pg.wait_for_selector(STABLE)
    assert {"org/axis-communications", "org/canon", "org/shanghai-psb",
            "programme/skynet"} <= node_ids(pg)
    click_node(pg, "org/shanghai-psb")
    pg.wait_for_selector("#info .claim-mini .evidence li")
    info = pg.locator("#info").inner_text()
    assert "Shanghai Public Security Bureau" in info and "supply" in info
    assert pg.locator("#info .evidence a[href^='https://']").count() > 0
    assert pg.locator(".claim .evidence a[href^='http']").count() > 0
    shot(pg, "entity.png")


def test_exposure_view_highlights_the_api_path(page: tuple[Any, Watch], base: str) -> None:
    pg, _ = page
    api = httpx.get(base + "/api/exposure/org/canon", params={"limit": 200}).json()
    pg.goto(base + "/exposure/org/canon")
    pg.wait_for_selector("#graph[data-highlighted-path='0']")
    first = api["paths"][0]
    assert pg.get_attribute("#graph", "data-highlighted-nodes").split() == \
        [n["id"] for n in first["nodes"]]
    edges = {e["id"]: e for e in visible_edges(pg)}
    lit = pg.get_attribute("#graph", "data-highlighted-edges").split()
    assert lit and all(e in edges for e in lit)
    assert {edges[e]["claim"] for e in lit} >= {h["relation"]["id"] for h in first["hops"]}
    assert pg.locator("#evidence table.evidence-table tbody tr").count() == len(first["hops"])
    pg.click("#next-path")
    pg.wait_for_selector("#graph[data-highlighted-path='1']")
    assert pg.get_attribute("#graph", "data-highlighted-nodes").split() == \
        [n["id"] for n in api["paths"][1]["nodes"]]
    assert pg.locator("#score").inner_text() == f"{api['score']:.3f}"
    pg.wait_for_selector(STABLE)
    shot(pg, "exposure.png")


def test_as_of_slider_removes_an_ended_relation(page: tuple[Any, Watch], base: str) -> None:
    pg, _ = page
    pg.goto(base + "/exposure/org/safran")
    pg.wait_for_selector("#graph[data-highlighted-path='0']")

    def ownership() -> list[dict[str, Any]]:
        return [e for e in visible_edges(pg) if e["claim"] == "ownership/safran-morpho"]
    assert ownership()
    pg.eval_on_selector("#as-of", "e => { e.value = '2019'; "
                                  "e.dispatchEvent(new Event('input', {bubbles: true})); }")
    pg.wait_for_selector("#graph[data-as-of='2019']")
    assert not ownership()
    pg.wait_for_function("() => !document.querySelector('#graph').hasAttribute('data-loading')"
                         " && document.querySelector('#path-pos').textContent === 'no path'")
    pg.eval_on_selector("#as-of", "e => { e.value = '2016'; "
                                  "e.dispatchEvent(new Event('input', {bubbles: true})); }")
    pg.wait_for_selector("#graph[data-as-of='2016']")
    assert ownership()


def test_explorer_click_expand_path_and_exports(page: tuple[Any, Watch], base: str,
                                                tmp_path: Path) -> None:
    pg, _ = page
    pg.goto(base + "/explore?focus=org/noldus&depth=1")
    pg.wait_for_selector(STABLE)
    before = node_ids(pg)
    assert {"org/noldus", "org/xinjiang-normal-university"} <= before
    assert "place/xinjiang" not in before
    click_node(pg, "org/xinjiang-normal-university")
    pg.wait_for_selector("#info .claim-mini")
    assert "Xinjiang Normal University" in pg.locator("#info").inner_text()
    with pg.expect_response(lambda r: "/api/view" in r.url and "xinjiang-normal" in r.url):
        pg.click("#info button.expand")
    pg.wait_for_function("() => window.survkgGraph.nodeView.getIds().includes('place/xinjiang')")
    pg.fill("#path-from", "org/canon")
    pg.fill("#path-to", "place/xinjiang")
    pg.check("#path-location")  # a place is reached only through "located in"
    pg.click("#find-path")
    pg.wait_for_selector("#path-result li a")
    assert pg.locator("#path-result li").count() >= 3
    pg.select_option("#f-status", "counting")
    weak = [e for e in visible_edges(pg) if e["claim"] == "supply/m-04"]
    assert not weak
    pg.select_option("#f-status", "")
    with pg.expect_download() as dl:
        pg.click("#export-png")
    png = tmp_path / "view.png"
    dl.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    with pg.expect_download() as dl:
        pg.click("#export-gexf")
    gexf = tmp_path / "view.gexf"
    dl.value.save_as(gexf)
    assert "org/noldus" in nx.read_gexf(gexf)
    with pg.expect_download() as dl:
        pg.click("#export-graphml")
    graphml = tmp_path / "view.graphml"
    dl.value.save_as(graphml)
    assert "place/xinjiang" in nx.read_graphml(graphml)
    pg.goto(base + "/explore")
    pg.wait_for_selector(STABLE)
    assert len(node_ids(pg)) > 40
    shot(pg, "explore.png")


def test_ontology_page(page: tuple[Any, Watch], base: str) -> None:
    pg, _ = page
    pg.goto(base + "/ontology")
    assert pg.locator("#Supply").count() == 1
    assert "supplier" in pg.locator("#object-properties").inner_text()


def test_hostile_graph_runs_no_script(page: tuple[Any, Watch], hostile_base: str) -> None:
    pg, watch = page
    pg.goto(hostile_base + "/entity/org/fx-exporter")
    pg.wait_for_selector(STABLE)
    assert pg.locator("h1").inner_text().startswith("<img src=x")
    click_node(pg, "org/fx-psb")
    pg.wait_for_selector("#info .claim-mini")
    click_node(pg, "org/fx-exporter")
    pg.wait_for_selector("#info .claim-mini .evidence li")
    hrefs = pg.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript")]
    pg.goto(hostile_base + "/explore")
    pg.wait_for_selector(STABLE)
    click_node(pg, "org/fx-parent")
    pg.wait_for_selector("#info .claim-mini")
    pg.goto(hostile_base + "/exposure/org/fx-exporter")
    pg.wait_for_selector("#graph[data-highlighted-path='0']")
    pg.goto(hostile_base + "/search?q=fx")
    pg.fill("#q-page", "<img")
    assert pg.evaluate("() => window.__pwned") is None
    assert watch.dialogs == []
    assert json.dumps(watch.errors).count("Content Security Policy") == 0


def test_api_reference_is_served_offline(page: tuple[Any, Watch], base: str) -> None:
    """/docs renders the OpenAPI operations with Swagger UI from survkg's own assets."""
    pg, watch = page
    pg.goto(base + "/docs")
    pg.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = pg.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/exposure/" in p for p in paths), paths
    assert any("/assets/swagger-ui-dist/" in u for u in watch.requests)


def test_exposure_view_shows_alternatives_control_then_and_warnings(
        page: tuple[Any, Watch], base: str) -> None:
    """Issue 12: the evidence panel says "FaceReader and/or The Observer XT", both control
    statuses, the kind of link and the low-reliability warning, as the API does."""
    pg, _ = page
    api = httpx.get(base + "/api/exposure/org/noldus", params={"limit": 200}).json()
    assert api["paths"][0]["hops"][0]["alternatives"]["text"] == \
        "FaceReader and/or The Observer XT"
    pg.goto(base + "/exposure/org/noldus")
    pg.wait_for_selector("#graph[data-highlighted-path='0']")
    panel = pg.locator("#evidence").inner_text()
    assert "FaceReader and/or The Observer XT (one or more of these)" in panel
    assert "Export control today: catch-all-only under Regulation (EU) 2021/821" in panel
    assert "at the supply's date: not-controlled under Council Regulation (EC) No 428/2009" \
        in panel
    axis = httpx.get(base + "/api/exposure/org/axis-communications",
                     params={"limit": 200}).json()
    (weak,) = [i for i, p in enumerate(axis["paths"]) if p["warnings"]]
    pg.goto(base + "/exposure/org/axis-communications")
    pg.wait_for_selector("#graph[data-highlighted-path='0']")
    for i in range(1, weak + 1):
        pg.click("#next-path")
        pg.wait_for_selector(f"#graph[data-highlighted-path='{i}']")
    assert pg.locator("#evidence .warning.low-reliability").count() == 2  # path and hop
    assert "rests only on low-reliability sources" in pg.locator("#evidence").inner_text()


def test_explorer_technology_filter_follows_the_hierarchy(page: tuple[Any, Watch], base: str,
                                                          seed_store: OxigraphStore) -> None:
    """A broader technology keeps the supplies of every narrower one the graph carries (as
    the exposure filter does), and the entity in focus stays whatever it carries."""
    from graph.export_graph import build_view, technologies
    from graph.projection import build_projection

    proj = build_projection(seed_store)
    menu = technologies(build_view(proj), proj)
    broad = "technology/biometric-surveillance"
    assert set(menu[broad]) >= {"technology/facial-recognition",
                                "technology/emotion-recognition"}
    pg, _ = page
    pg.goto(base + "/explore?focus=Noldus&depth=2")
    pg.wait_for_selector(STABLE)

    def supplies_with(tech: str) -> set[str]:
        pg.select_option("#f-tech", tech)
        shown = pg.evaluate(
            "() => window.survkgGraph.edgeView.get().filter(e => e.kind.indexOf('supply') === 0)"
            ".map(e => e.id + ' ' + (e.technology || ''))")
        assert "org/noldus" in node_ids(pg)  # the focus stays
        return set(shown)

    narrow = supplies_with("technology/emotion-recognition") | \
        supplies_with("technology/facial-recognition")
    wide = supplies_with(broad)
    assert narrow and wide == narrow
    assert all(any(t in menu[broad] for t in e.split()[1:]) for e in wide)
