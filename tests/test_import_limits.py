"""Bounds on what one import or one write request can cost, and retry safety: a
million-column CSV, notes and kept job results capped; the nesting pre-screen not
skipped by an escaped ``\\#``; ``Idempotency-Key`` on findings; 413 for an oversized
chunked body to /api/findings (issue 10)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from api.jobs import MAX_RESULT_ITEMS, JobQueue, new_job
from api.settings import Settings
from graph.errors import InvalidData, SurvkgError
from graph.imports import kinds
from graph.imports.catalogue import list_imports
from graph.imports.pipeline import import_data
from graph.imports.screen import MAX_DEPTH
from graph.loading import open_store
from graph.store import OxigraphStore
from graph.tokens import open_tokens
from tests.web_server import live_server

DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    return open_store(memory=True)


def dump(store: OxigraphStore) -> bytes:
    return store.export(None, ox.RdfFormat.N_QUADS) or b""


def test_a_million_column_csv_is_refused_with_one_problem(store: OxigraphStore) -> None:
    data = (",".join(f"c{i}" for i in range(1_000_000)) + "\nx\n").encode()
    before = dump(store)
    with pytest.raises(InvalidData) as info:
        import_data(store, data, kind=kinds.KINDS["csv"], filename="wide.csv", actor="t")
    assert dump(store) == before
    (problem,) = info.value.problems
    assert "1,000,000 columns" in str(problem) and problem.line == 1


def test_ignored_columns_make_one_note(store: OxigraphStore) -> None:
    header, *rows = (DATA / "three-findings.csv").read_text().splitlines()
    extra = ",".join(f"extra {i}" for i in range(100))
    data = "\n".join([f"{header},{extra}", *rows]).encode() + b"\n"
    result = import_data(store, data, kind=kinds.KINDS["csv"], filename="wide.csv",
                         actor="t", dry_run=True)
    notes = [n for n in result.notes if "not part of the findings format" in n]
    assert len(notes) == 1 and notes[0].startswith("100 column(s)"), result.notes
    assert "'extra 9'" in notes[0] and "'extra 10'" not in notes[0]


def test_kept_job_results_are_bounded() -> None:
    queue = JobQueue()

    def work(progress: Any) -> dict[str, Any]:
        return {"id": "x", "links": list(range(50_000)), "notes": ["n"] * 5, "triples": 9}

    def describe(exc: SurvkgError) -> dict[str, Any]:
        return {}

    job = queue.submit(new_job("f.csv", 1, "t"), work, describe)
    deadline = time.monotonic() + 30
    while job.finished_at is None and time.monotonic() < deadline:
        time.sleep(0.01)
    queue.shutdown()
    assert job.result is not None
    assert len(job.result["links"]) == MAX_RESULT_ITEMS and job.result["links_total"] == 50_000
    assert job.result["notes"] == ["n"] * 5 and "notes_total" not in job.result
    assert job.result["triples"] == 9


@pytest.mark.parametrize("escape", ["ex:a\\#b", "ex:a\\#", "ex:a\\#\\#c"])
def test_an_escaped_hash_does_not_hide_nesting(store: OxigraphStore, escape: str) -> None:
    depth = MAX_DEPTH + 10
    data = (b"@prefix ex: <https://example.org/> .\nex:s ex:p " + escape.encode()
            + b" ; ex:q " + b"[ ex:r " * depth + b"1" + b" ]" * depth + b" .\n")
    with pytest.raises(InvalidData, match="nesting deeper") as info:
        import_data(store, data, kind=kinds.KINDS["turtle"], filename="deep.ttl", actor="t")
    assert info.value.line == 2


FINDING = {"supplier": "Kestrel Analytics", "recipient": "org/shanghai-psb",
           "product": "Kestrel gait analysis", "technology": "facial recognition",
           "date": "2023-05", "source_title": "Kestrel contract (fictional test record)",
           "source_url": "https://example.org/kestrel", "confidence": "reported by press",
           "status": "reported", "note": "Fictional finding used by survkg's tests."}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Any]]:
    disk = open_store(tmp_path_factory.mktemp("limits") / "store")
    token = open_tokens(disk).create("researcher")
    with live_server(disk, Settings(rate_limit_per_minute=0)) as base:
        yield base, token, disk
    disk.close()


def test_idempotency_key_imports_a_finding_once(server: tuple[str, str, Any]) -> None:
    base, token, disk = server
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "finding-42"}
    with httpx.Client(base_url=base, timeout=60) as client:
        first = client.post("/api/findings", json=FINDING, headers=headers)
        assert first.status_code == 201, first.text
        before = dump(disk)
        again = client.post("/api/findings", json=FINDING, headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert dump(disk) == before
        other = client.post("/api/findings", json={**FINDING, "date": "2024"},
                            headers=headers)
        assert other.status_code == 409 and "Idempotency-Key" in other.text
        bad = client.post("/api/findings", json=FINDING,
                          headers={**headers, "Idempotency-Key": "has space"})
        assert bad.status_code == 422
        assert dump(disk) == before
        # Without a key a retry is a second import (findings are forced: two people may
        # post the same supply); with a new key too.
        fresh = client.post("/api/findings", json=FINDING,
                            headers={**headers, "Idempotency-Key": "finding-43"})
        assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    ids = [r.id for r in list_imports(disk)]
    assert first.json()["id"] in ids and ids.count(first.json()["id"]) == 1


def test_oversized_chunked_finding_gets_413(server: tuple[str, str, Any]) -> None:
    base, token, disk = server
    before = dump(disk)
    filler = b" " * (3 * 1024 * 1024)  # over the 2 MiB body limit, valid JSON whitespace

    def chunks() -> Iterator[bytes]:
        yield b'{"note": "'
        for i in range(0, len(filler), 65536):
            yield filler[i:i + 65536]
        yield b'"}'

    r = httpx.post(f"{base}/api/findings", content=chunks(), timeout=60,
                   headers={"Authorization": f"Bearer {token}",
                            "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert dump(disk) == before


def test_the_audit_route_pages_both_ways(server: tuple[str, str, Any]) -> None:
    base, token, _ = server
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
        for _ in range(3):  # three dry runs: three entries at least to page through
            r = client.post("/api/findings", json=FINDING, params={"dry_run": True})
            assert r.status_code == 200, r.text
        head = client.get("/api/audit", params={"limit": 1}).json()
        last = head["head_seq"]
        assert last >= 3 and [e["seq"] for e in head["entries"]] == [last]
        back = client.get("/api/audit", params={"limit": 2, "before_seq": last}).json()
        assert [e["seq"] for e in back["entries"]] == [last - 2, last - 1]
        fwd = client.get("/api/audit", params={"limit": 2, "since_seq": 0}).json()
        assert [e["seq"] for e in fwd["entries"]] == [1, 2]
