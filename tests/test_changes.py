"""What changed: an import that adds supplies and its retraction show up in
``/api/changes`` and in the Atom feed with the organisation whose exposure they changed,
before and after, and the paths gained or lost; the feed has Atom's required elements."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
from click.testing import CliRunner
from web_server import live_server

from graph.audit import open_audit as store_audit
from graph.cli import cli
from graph.loading import open_store
from graph.tokens import open_tokens as store_tokens

DATA = Path(__file__).parent / "data" / "imports"
A = "{http://www.w3.org/2005/Atom}"


def test_import_and_retraction_in_changes_and_feed(tmp_path: Path) -> None:
    store_dir = str(tmp_path / "store")
    runner = CliRunner()
    done = runner.invoke(cli, ["import", str(DATA / "three-findings.csv"), "--store",
                               store_dir, "--output", "json"])
    assert done.exit_code == 0, done.output
    import_id = json.loads(done.output)["id"]
    listed = runner.invoke(cli, ["changes", "--store", store_dir, "--format", "json"])
    by_cli = json.loads(listed.output)
    assert [c["kind"] for c in by_cli] == ["import"]
    moved = by_cli[0]["exposure"]
    assert [m["organisation"]["label"] for m in moved] == ["Nordvision Optics"]
    assert moved[0]["before"] == 0 and moved[0]["after"] > 0
    assert moved[0]["paths_gained"] and not moved[0]["paths_lost"]
    org = moved[0]["organisation"]["id"]
    store = open_store(Path(store_dir))
    secret = store_tokens(store).create("analyst")
    with live_server(store) as base:
        # The new organisation's page says which import last changed it.
        shown = httpx.get(base + "/entity/" + org).text
        assert 'id="last-changed"' in shown and import_id in shown
        gone = httpx.delete(base + f"/api/imports/{import_id}",
                            params={"reason": "wrong sheet"},
                            headers={"Authorization": f"Bearer {secret}"})
        assert gone.status_code == 200, gone.text
        api = httpx.get(base + "/api/changes", timeout=60).json()
        assert [(c["kind"], c["import_id"]) for c in api] == [("retraction", import_id),
                                                              ("import", import_id)]
        retraction = api[0]
        assert retraction["reason"] == "wrong sheet"
        lost = retraction["exposure"][0]
        assert lost["organisation"]["id"] == org and lost["after"] == 0
        assert lost["before"] == moved[0]["after"]
        assert lost["paths_lost"] == moved[0]["paths_gained"]
        assert httpx.get(base + "/api/changes", params={"since": "2999-01-01"}).json() == []
        assert httpx.get(base + "/api/changes",
                         params={"entity": "org/canon"}).json() == []
        feed = httpx.get(base + "/changes.atom", params={"entity": org})
        assert feed.headers["content-type"].startswith("application/atom+xml")
        # After the retraction no page names the import (Axis: the sheet linked to it).
        axis = httpx.get(base + "/entity/org/axis-communications").text
        assert 'id="last-changed"' not in axis
        page = httpx.get(base + "/changes").text
        assert page.count('data-kind="') == 2 and "Nordvision Optics" in page
        # The watchlist filters the feed; editing it needs a token and is audited.
        assert httpx.put(base + "/api/watchlist",
                         json={"organisations": ["org/canon"]}).status_code == 401
        put = httpx.put(base + "/api/watchlist", json={"organisations": ["org/canon"]},
                        headers={"Authorization": f"Bearer {secret}"})
        assert put.status_code == 200 and put.json() == {"organisations": ["org/canon"]}
        assert httpx.get(base + "/api/watchlist").json() == {"organisations": ["org/canon"]}
        watched = ET.fromstring(httpx.get(base + "/changes.atom",
                                          params={"watchlist": "true"}).content)
        assert watched.findall(A + "entry") == []  # Canon's exposure did not change
        bad = httpx.put(base + "/api/watchlist", json={"organisations": ["org/nope"]},
                        headers={"Authorization": f"Bearer {secret}"})
        assert bad.status_code == 404
        assert httpx.get(base + "/api/watchlist").json() == {"organisations": ["org/canon"]}
        ops = [(e["operation"], e["outcome"][:7]) for e in store_audit(store).entries()]
        assert ("watchlist", "ok") in ops and ("watchlist", "refused") in ops
    store.close()
    root = ET.fromstring(feed.content)
    assert root.tag == A + "feed"
    for el in (root, *root.findall(A + "entry")):
        for required in ("id", "title", "updated"):
            node = el.find(A + required)
            assert node is not None and (node.text or "").strip(), (el.tag, required)
    assert root.find(A + "author/" + A + "name") is not None
    entries = root.findall(A + "entry")
    assert len(entries) == 2 and all(e.find(A + "link") is not None for e in entries)
    summary = entries[0].find(A + "summary")
    assert summary is not None and "Nordvision Optics" in (summary.text or "")
    assert "-> 0.000" in (summary.text or "")
