"""The dossier: one citable document per organisation, as HTML (CLI and page) and PDF.

The PDF is printed by the real headless Chromium and read back with pypdf: every source
URL of Canon's paths must be in its text. The page is opened in Chromium under the
server's CSP. Advent International's dossier and exposure page say why it is not exposed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner
from web_server import live_server

from api.cli import dossier as dossier_cmd
from graph.cli import cli
from graph.store import OxigraphStore


def path_urls(x: dict[str, Any]) -> set[str]:
    """Every source URL of every hop of every path (claims, replies, risk flags)."""
    urls: set[str] = set()
    for p in x["paths"]:
        for h in p["hops"]:
            urls |= {s["url"] for s in h["evidence"] if s["url"]}
            urls |= {s["url"] for r in h["responses"] for s in r["evidence"] if s["url"]}
        for r in p["target"]["risk_indicators"]:
            urls |= {s["url"] for s in r["flag"]["evidence"] if s["url"]}
    return urls


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def base(seed_store: OxigraphStore) -> Iterator[str]:
    with live_server(seed_store) as url:
        yield url


def test_cli_dossier_stands_alone(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    out = tmp_path / "canon.html"
    done = runner.invoke(dossier_cmd, ["Canon", "-o", str(out), "--store", store])
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    shown = runner.invoke(cli, ["exposure", "Canon", "--format", "json", "--max-paths", "1000",
                                "--store", store])
    import json
    x = json.loads(shown.output)
    assert x["summary"] and x["summary"].split(".")[0] in html
    for url in path_urls(x):
        assert url.replace("&", "&amp;") in html, url
    # Offline: nothing to fetch (inline style, no script, no linked resource).
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "Cite as:" in html and "graph of" in html and "Filters:" in html
    assert "Reply from Axis Communications" in html
    advent = tmp_path / "advent.html"
    assert runner.invoke(dossier_cmd, ["Advent International", "-o", str(advent),
                                       "--store", store]).exit_code == 0
    text = advent.read_text(encoding="utf-8")
    assert "Why there is no exposure" in text
    assert "outside the period in which its supplier belonged to the group" in text
    bad = runner.invoke(dossier_cmd, ["Canon", "--as-of", "last week", "-o",
                                      str(tmp_path / "x.html"), "--store", store])
    assert bad.exit_code == 1 and "as_of" in bad.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.slow
@pytest.mark.browser
def test_canon_pdf_holds_every_source_url(base: str) -> None:
    pypdf = pytest.importorskip("pypdf")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no chromium (run `make chromium`)")
    x = httpx.get(base + "/api/exposure/org/canon", params={"limit": 1000}).json()
    got = httpx.get(base + "/dossier/org/canon.pdf", timeout=120)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(got.content))
    text = squash("".join(page.extract_text() for page in reader.pages))
    urls = path_urls(x)
    assert len(urls) >= 5
    missing = [u for u in urls if squash(u) not in text]
    assert not missing
    assert squash("Exposure dossier: Canon Inc.") in text
    assert squash(x["summary"][:80]) in text


@pytest.mark.slow
@pytest.mark.browser
def test_dossier_and_exposure_pages_in_chromium(browser: Any, base: str) -> None:
    context = browser.new_context()
    pg = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
          else None)
    pg.goto(base + "/dossier/org/canon")
    summary = pg.locator("#summary").inner_text()
    assert summary.startswith("Canon Inc. is exposed")
    # The stylesheet applies (CSP allows it) and printing hides the screen-only links.
    assert pg.locator(".summary").evaluate("e => getComputedStyle(e).borderLeftStyle") \
        == "solid"
    pg.emulate_media(media="print")
    assert not pg.locator(".screen-only").is_visible()
    pg.goto(base + "/exposure/org/advent-international")
    why = pg.locator("#summary").inner_text()
    assert "has no exposure path" in why and "outside the period" in why
    assert pg.locator("a[href='/dossier/org/advent-international']").count() == 1
    assert {urlsplit(u).hostname for u in requests} <= {"127.0.0.1"}
    assert not [e for e in errors if "favicon" not in e and "Failed to load" not in e], errors
    missing = httpx.get(base + "/dossier/org/no-such-company")
    assert missing.status_code == 404
    context.close()
