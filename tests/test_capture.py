"""Archived sources: ``survkg archive`` captures a page as WARC (through the configured
proxy, here a local server that also plays the origin), hashes it, and the capture is
linked from the source's page and its dossier entry, served back, and survives backup
and restore. Nothing leaves the machine: every request goes to the local proxy."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from web_server import live_server

from graph import capture
from graph.backup import backup, restore
from graph.cli import cli
from graph.errors import IntegrityError, InvalidData
from graph.loading import open_store
from graph.namespaces import GRAPH, rid, skg
from graph.state import CAPTURES

PAGE = "<html><body><h1>Axis cameras for Skynet</h1><p>local copy 42</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    """Origin and proxy in one: serves /page.html, refuses CONNECT (https) with 501."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        path = urlsplit(self.path).path if self.path.startswith("http") else self.path
        if path != "/page.html":
            self.send_error(404)
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_capture_link_backup_restore(tmp_path: Path, proxy: str) -> None:
    url = proxy + "/page.html"
    store = open_store(tmp_path / "store")
    src, g = rid("source/local-test"), ox.NamedNode(GRAPH + "user/local-test")
    store.extend([ox.Quad(src, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          skg("PressArticle"), g),
                  ox.Quad(src, ox.NamedNode("http://purl.org/dc/terms/title"),
                          ox.Literal("A local page"), g),
                  ox.Quad(src, skg("url"), ox.Literal(url), g),
                  ox.Quad(rid("supply/axis-programmes"), skg("evidence"), src, g)])
    # Three sources: the local page, a seed source over http and one over https. Both
    # seed URLs go to the proxy (absolute-URI GET, CONNECT) and are refused there:
    # nothing is fetched from another host.
    urls = {s: u for s, u, _ in capture.source_urls(store)}
    plain = next(s for s, u in urls.items() if u.startswith("http://") and s != src.value)
    tls = next(s for s, u in urls.items() if u.startswith("https://"))
    done, failed = capture.archive(store, missing=True, proxy=proxy, timeout=10,
                                   sources=["source/local-test", plain, tls])
    assert [c.url for c in done] == [url]
    assert {u for u, _ in failed} == {urls[plain], urls[tls]}
    assert urls[plain] in _Handler.requests
    cap = done[0]
    folder = tmp_path / "store" / CAPTURES
    data = (folder / cap.file).read_bytes()
    assert cap.warc_sha256 == hashlib.sha256(data).hexdigest()
    assert cap.sha256 == hashlib.sha256(PAGE.encode()).hexdigest() and cap.status == 200
    with (folder / cap.file).open("rb") as fh:
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert record.content_stream().read() == PAGE.encode()
    again, _ = capture.archive(store, missing=True, proxy=proxy, timeout=10,
                               sources=["source/local-test"])
    assert again == []  # --missing: captured already

    with live_server(store) as base:
        page = httpx.get(base + "/entity/source/local-test").text
        assert f"/archive/{cap.file}" in page and cap.sha256 in page
        served = httpx.get(base + f"/archive/{cap.file}")
        assert served.status_code == 200 and served.content == data
        assert httpx.get(base + "/archive/../store").status_code == 404
        dossier = httpx.get(base + "/dossier/org/canon").text
        assert f"/archive/{cap.file}" in dossier and cap.sha256 in dossier

    manifest = backup(store, tmp_path / "bk")
    assert manifest.captures[cap.file] == cap.warc_sha256
    store.close()
    restore(tmp_path / "bk", tmp_path / "restored")
    back = capture.captures(tmp_path / "restored" / CAPTURES)
    assert back[url][0] == cap
    assert (tmp_path / "restored" / CAPTURES / cap.file).read_bytes() == data
    # The command line on the restored store: the capture is kept (--missing skips it);
    # every other URL goes to the proxy, is refused, and is listed; exit 1.
    out = CliRunner().invoke(cli, ["archive", "--missing", "--proxy", proxy, "--timeout", "5",
                                   "--source", "source/local-test", "--source", tls,
                                   "--store", str(tmp_path / "restored")])
    assert out.exit_code == 1, out.output
    assert "0 captured, 1 failed" in out.output and f"failed {urls[tls]}" in out.output
    # A capture altered in the backup is caught on restore.
    (tmp_path / "bk" / CAPTURES / cap.file).write_bytes(data + b"x")
    with pytest.raises(IntegrityError, match="differs"):
        restore(tmp_path / "bk", tmp_path / "restored-2")
    assert not (tmp_path / "restored-2").exists()


def test_spreadsheet_archived_url_column() -> None:
    from graph.interchange.csv_findings import read_csv_findings

    def mint(kind: str, key: str) -> ox.NamedNode:
        return ox.NamedNode(f"{GRAPH}import-test/{kind}/{abs(hash(key))}")

    head = ("supplier,recipient,product,technology,date,source title,source URL,confidence,"
            "status,note,archived URL\n")
    row = ("Acme,Beta,,video analytics,,S1,https://a.example/1,inferred,alleged,,{}\n")
    m = read_csv_findings((head + row.format("https://web.archive.org/web/2020/"
                                             "https://a.example/1")).encode(),
                          name="x.csv", mint=mint)
    got = [q.object.value for q in m.quads if q.predicate == skg("archivedUrl")]
    assert got == ["https://web.archive.org/web/2020/https://a.example/1"]
    with pytest.raises(InvalidData) as info:
        read_csv_findings((head + row.format("javascript:alert(1)")).encode(), name="x.csv",
                          mint=mint)
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "archived URL")]
