"""The write API over a real uvicorn server and a real on-disk store: imports as jobs,
findings as JSON, retractions, the audit trail, and hostile uploads that leave the
server up and the store untouched."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from api.settings import Settings
from graph.loading import open_store
from graph.namespaces import ID
from graph.store import OxigraphStore
from graph.tokens import open_tokens
from tests.test_imports import BILLION_LAUGHS, PREFIXES
from tests.web_server import live_server

pytestmark = pytest.mark.slow
DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, OxigraphStore]]:
    store = open_store(tmp_path / "store")
    token = open_tokens(store).create("researcher")
    with live_server(store, Settings(rate_limit_per_minute=0)) as base:
        yield base, token, store
    store.close()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dump(store: OxigraphStore) -> bytes:
    return store.export(None, ox.RdfFormat.N_QUADS) or b""


def post_file(base: str, token: str, data: bytes, media: str, name: str,
              **params: Any) -> httpx.Response:
    return httpx.post(f"{base}/api/import", content=data, timeout=120,
                      params={"filename": name, **params},
                      headers={**auth(token), "Content-Type": media})


def local(iri: str) -> str:
    return iri[len(ID):]


def test_spreadsheet_import_feeds_the_exposure_api(server: tuple[str, str, Any]) -> None:
    base, token, _ = server
    r = post_file(base, token, (DATA / "three-findings.csv").read_bytes(), "text/csv",
                  "three-findings.csv", wait=60)
    assert r.status_code == 201, r.text
    result = r.json()["result"]
    assert result["new_resources"]["Supply"] == 3
    search = httpx.get(f"{base}/api/search", params={"q": "Nordvision Optics"}).json()
    (hit,) = [h for h in search["results"] if h["label"] == "Nordvision Optics"]
    exposure = httpx.get(f"{base}/api/exposure/{hit['id']}").json()
    targets = {p["target"]["id"] for p in exposure["paths"]}
    assert {"org/shanghai-psb", "org/lingchuan-psb"} <= targets
    urls = {e["url"] for p in exposure["paths"] for h in p["hops"] for e in h["evidence"]}
    assert "https://example.org/news/nordvision-shanghai" in urls
    listing = httpx.get(f"{base}/api/imports").json()
    assert [x["id"] for x in listing] == [result["id"]]
    assert listing[0]["imported_by"] == "researcher"


def test_import_job_can_be_polled(server: tuple[str, str, Any]) -> None:
    base, token, _ = server
    r = post_file(base, token, (DATA / "good.ttl").read_bytes(), "text/turtle", "good.ttl")
    assert r.status_code in (201, 202), r.text
    job = r.json()
    for _ in range(600):
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
        job = httpx.get(base + job["url"], headers=auth(token)).json()
    assert job["status"] == "done" and job["result"]["triples"] == 18
    assert httpx.get(base + job["url"]).status_code == 401


def test_reads_are_answered_while_a_large_import_runs(server: tuple[str, str, Any]) -> None:
    base, token, _ = server
    rows = "".join(f'<https://example.org/big/o{j}> a skg:Company ; rdfs:label "bq{j}x" .\n'
                   for j in range(15_000))
    r = post_file(base, token, PREFIXES + rows.encode(), "text/turtle", "big.ttl")
    assert r.status_code == 202, r.text
    job_url = base + r.json()["url"]
    answered_while_running = 0
    while True:
        job = httpx.get(job_url, headers=auth(token)).json()
        if job["status"] not in ("queued", "running"):
            break
        read = httpx.get(f"{base}/api/entities/org/axis-communications", timeout=30)
        assert read.status_code == 200
        if httpx.get(job_url, headers=auth(token)).json()["status"] == "running":
            answered_while_running += 1
        time.sleep(0.05)
    assert job["status"] == "done", job
    assert answered_while_running > 0, "no read was answered while the import ran"


def test_finding_as_json_then_retraction(server: tuple[str, str, Any]) -> None:
    base, token, store = server
    finding = {"supplier": "Kestrel Analytics", "recipient": "org/shanghai-psb",
               "product": "Kestrel gait analysis", "technology": "facial recognition",
               "date": "2023-05", "source_title": "Kestrel contract (fictional test record)",
               "source_url": "https://example.org/kestrel", "confidence": "reported by press",
               "status": "reported", "note": "Fictional finding used by survkg's tests."}
    assert httpx.post(f"{base}/api/findings", json=finding).status_code == 401
    r = httpx.post(f"{base}/api/findings", json=finding, headers=auth(token), timeout=60)
    assert r.status_code == 201, r.text
    import_id = r.json()["id"]
    exposure = httpx.get(f"{base}/api/suppliers/org/shanghai-psb").json()
    assert "Kestrel Analytics" in str(exposure)
    before = dump(store)
    refused = httpx.delete(f"{base}/api/imports/{import_id}", params={"reason": "test"})
    assert refused.status_code == 401 and dump(store) == before
    gone = httpx.delete(f"{base}/api/imports/{import_id}",
                        params={"reason": "source withdrawn"}, headers=auth(token))
    assert gone.status_code == 200, gone.text
    assert gone.json()["retracted_by"] == "researcher"
    assert "Kestrel Analytics" not in str(httpx.get(f"{base}/api/suppliers/org/shanghai-psb")
                                          .json())
    audit = httpx.get(f"{base}/api/audit", headers=auth(token)).json()["entries"]
    ops = [(e["operation"], e["outcome"]) for e in audit]
    assert ("import", "committed") in ops and ("retract", "committed") in ops


HOSTILE = [
    ("laughs.rdf", "application/rdf+xml", BILLION_LAUGHS, 400),
    ("deep.ttl", "text/turtle", PREFIXES + b"<https://example.org/s> rdfs:seeAlso "
     + b"[ rdfs:seeAlso " * 5000 + b"]" * 5000 + b" .\n", 400),
    ("deep.jsonld", "application/ld+json", b'{"@id": "https://example.org/s", '
     b'"https://example.org/p": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    ("iri.ttl", "text/turtle", PREFIXES + b'<https://example.org/a b> rdfs:label "x" .\n', 400),
    ("utf8.ttl", "text/turtle", PREFIXES + b'<https://example.org/a> rdfs:label "\xff" .\n', 400),
    ("script.ttl", "text/turtle", PREFIXES + b'<https://example.org/a> a skg:Company ; '
     b'rdfs:label "<script>alert(1)</script>" .\n', 400),
    ("script.csv", "text/csv", (DATA / "three-findings.csv").read_bytes().replace(
        b"Nordvision Optics,Shanghai", b"=HYPERLINK(\"x\"),Shanghai"), 400),
    ("x.bin", "application/octet-stream", b"\x00\x01", 422),
]


@pytest.mark.timeout(120)
def test_hostile_uploads_are_refused_and_nothing_is_stored(
        server: tuple[str, str, Any]) -> None:
    base, token, store = server
    before = dump(store)
    for name, media, data, status in HOSTILE:
        r = post_file(base, token, data, media, name, wait=30)
        assert r.status_code == status, (name, r.status_code, r.text[:300])
        body = r.json()
        assert body.get("detail"), (name, body)
        assert httpx.get(f"{base}/healthz").text == "ok"
    huge = b"#" * (100 * 1024 * 1024)
    r = post_file(base, token, huge, "text/turtle", "huge.ttl", wait=30)
    assert r.status_code == 413
    assert httpx.get(f"{base}/healthz").text == "ok"
    assert dump(store) == before
    assert httpx.get(f"{base}/api/imports").json() == []


def test_an_upload_in_flight_does_not_block_healthz(server: tuple[str, str, Any]) -> None:
    """A slow client trickling a body holds no lock: other requests go on."""
    base, token, _ = server
    done = threading.Event()

    def trickle() -> Iterator[bytes]:
        yield PREFIXES
        while not done.is_set():
            time.sleep(0.05)
            yield b"# still sending\n"

    thread = threading.Thread(target=lambda: httpx.post(
        f"{base}/api/import", content=trickle(), timeout=30,
        headers={**auth(token), "Content-Type": "text/turtle"}))
    thread.start()
    try:
        for _ in range(5):
            assert httpx.get(f"{base}/healthz", timeout=5).text == "ok"
    finally:
        done.set()
        thread.join(timeout=30)


def test_the_import_queue_is_bounded() -> None:
    """Each waiting import holds its file in memory: past MAX_PENDING the queue says 503."""
    from api.errors import status_for
    from api.jobs import MAX_PENDING, JobQueue, QueueFull, new_job

    gate = threading.Event()
    queue = JobQueue()

    def work(progress: Any) -> dict[str, Any]:
        gate.wait(30)
        return {}

    try:
        for i in range(MAX_PENDING):
            queue.submit(new_job(f"f{i}", 1, "t"), work, lambda exc: {})
        with pytest.raises(QueueFull) as info:
            queue.submit(new_job("one-too-many", 1, "t"), work, lambda exc: {})
        assert status_for(info.value) == 503
        gate.set()
        last = queue.submit  # once the queue drains, imports are accepted again
        for _ in range(200):
            try:
                last(new_job("after", 1, "t"), work, lambda exc: {})
                break
            except QueueFull:
                time.sleep(0.05)
        else:
            pytest.fail("the queue never drained")
    finally:
        gate.set()
        queue.shutdown()
