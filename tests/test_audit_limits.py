"""The audit log stays small under refused writes, and stays one chain across rotated
files: refusals are recorded by size and digest, counted beyond a rate per client, the
live file rotates, and readers page through it (graph/audit_refusals.py, graph/audit.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from graph.audit import AuditLog
from graph.audit_refusals import EXCERPT_CHARS, PER_WINDOW, RefusalLimiter
from graph.backup import backup, restore
from graph.cli import cli
from graph.errors import IntegrityError
from graph.loading import open_store
from graph.state import AUDIT_FILE
from tests.sparql_support import serve


def test_refused_2mib_updates_keep_the_log_tiny(tmp_path: Path) -> None:
    """25 anonymous 2 MiB updates to a read-only endpoint: each answered 403, the first
    20 recorded by size and SHA-256 with a short excerpt, the rest counted in one entry."""
    store = open_store(tmp_path / "store")
    text = 'INSERT DATA { <urn:a> <urn:b> "' + "x" * (2 * 1024 * 1024 - 100) + '" }'
    with serve(store) as srv, httpx.Client(timeout=60) as client:
        for _ in range(25):
            r = client.post(f"{srv.url}/sparql", content=text.encode(),
                            headers={"Content-Type": "application/sparql-update"})
            assert r.status_code == 403
    log = AuditLog(tmp_path / "store" / AUDIT_FILE)
    assert sum(p.stat().st_size for p in log.files()) < 40_000
    log.verify()
    entries = log.entries()
    refused = [e for e in entries if e["operation"] == "sparql-update"]
    assert len(refused) == PER_WINDOW
    first = refused[0]
    assert first["bytes"] == len(text) and first["update_chars"] == len(text)
    assert first["update_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert len(first["update"]) <= EXCERPT_CHARS + 1
    (summary,) = [e for e in entries if e["operation"] == "audit.suppressed"]
    assert summary["count"] == 25 - PER_WINDOW and summary["client"] == "127.0.0.1"
    assert summary["bytes"] == (25 - PER_WINDOW) * len(text)


def test_long_lists_in_a_refusal_are_digested_too(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.jsonl")
    graphs = [f"urn:g{i}" for i in range(10_000)]
    entry = log.record(actor="anonymous", operation="sparql-update", outcome="refused: 401",
                       using=graphs, using_named=["urn:x"])
    assert entry["using_named"] == ["urn:x"] and entry["using_chars"] > 100_000
    assert (tmp_path / "a.jsonl").stat().st_size < 1_500


def test_a_client_over_the_rate_does_not_silence_others(tmp_path: Path) -> None:
    t = [0.0]
    log = AuditLog(tmp_path / "a.jsonl", limiter=RefusalLimiter(3, 10.0, lambda: t[0]))
    for _ in range(10):
        log.record(actor="anonymous", operation="POST /api/imports", outcome="refused: 401",
                   client="10.0.0.1", bytes=5)
    log.record(actor="anonymous", operation="POST /api/imports", outcome="refused: 401",
               client="10.0.0.2")
    log.record(actor="alice", operation="import", outcome="ok", client="10.0.0.1")
    assert [e.get("client") for e in log.entries()] == ["10.0.0.1"] * 3 + ["10.0.0.2",
                                                                             "10.0.0.1"]
    t[0] = 11.0  # the window has passed: the next entry writes the count first
    log.record(actor="anonymous", operation="POST /api/imports", outcome="refused: 401",
               client="10.0.0.1")
    *_, summary, again = log.entries()
    assert (summary["operation"], summary["count"], summary["bytes"]) == (
        "audit.suppressed", 7, 35)
    assert summary["operations"] == {"POST /api/imports": 7}
    assert again["client"] == "10.0.0.1" and again["outcome"] == "refused: 401"
    log.verify()


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record(actor="alice", operation="import", outcome="ok", detail="d" * 100,
                   graph=f"urn:g{i}")


def test_rotation_keeps_one_chain_and_paging_reads_across_files(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    log = AuditLog(path, max_bytes=2_000)
    _fill(log, 60)
    segments = log.segments()
    assert len(segments) >= 3
    assert all(p.stat().st_size < 2_400 for p in log.files())
    log.verify()
    assert log.head()[0] == 60
    assert [e["seq"] for e in log.entries(limit=5)] == [56, 57, 58, 59, 60]
    assert [e["seq"] for e in log.entries(limit=4, since_seq=10)] == [11, 12, 13, 14]
    assert [e["seq"] for e in log.entries(limit=3, before_seq=30)] == [27, 28, 29]
    assert [e["seq"] for e in log.entries()] == list(range(1, 61))
    # The first line of a later file chains to the last line of the file before.
    first_line = segments[1].read_bytes().splitlines()[0]
    assert json.loads(first_line)["prev"] == hashlib.sha256(
        segments[0].read_bytes().splitlines()[-1]).hexdigest()
    # A fresh process (another AuditLog) appends onto the same chain.
    AuditLog(path, max_bytes=2_000).record(actor="bob", operation="import", outcome="ok")
    log.verify()
    assert log.head()[0] == 61

    ok = CliRunner().invoke(cli, ["audit", "--verify", "--store", str(tmp_path)])
    assert ok.exit_code == 0 and "intact: 61 entries" in ok.output
    page = CliRunner().invoke(cli, ["audit", "--format", "json", "--limit", "2",
                                    "--since-seq", "5", "--store", str(tmp_path)])
    assert [json.loads(x)["seq"] for x in page.output.splitlines()] == [6, 7]
    # Editing a line in a closed segment is found, named by file and line.
    lines = segments[1].read_bytes().splitlines(keepends=True)
    segments[1].write_bytes(b"".join([lines[0].replace(b"alice", b"mallo"), *lines[1:]]))
    with pytest.raises(IntegrityError, match="hash chain") as err:
        log.verify()
    assert err.value.where == f"{segments[1]}:2"
    bad = CliRunner().invoke(cli, ["audit", "--verify", "--store", str(tmp_path)])
    assert bad.exit_code == 1 and f"{segments[1]}:2" in bad.output


def test_backup_and_restore_carry_every_segment(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    log = AuditLog(tmp_path / "store" / AUDIT_FILE, max_bytes=2_000)
    _fill(log, 40)
    assert log.segments()
    store.close()
    store = open_store(tmp_path / "store")
    backup(store, tmp_path / "backup")
    store.close()
    restore(tmp_path / "backup", tmp_path / "restored")
    restored = AuditLog(tmp_path / "restored" / AUDIT_FILE)
    restored.verify()
    assert restored.head() == log.head() and len(restored.segments()) == len(log.segments())


def test_a_batch_written_across_a_rotation_stays_one_chain(tmp_path: Path) -> None:
    """Summaries of counted refusals are written in one batch with the next entry; a
    rotation in the middle of the batch must not break the chain or the log."""
    t = [0.0]
    log = AuditLog(tmp_path / "a.jsonl", max_bytes=600,
                   limiter=RefusalLimiter(1, 10.0, lambda: t[0]))
    for client in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for _ in range(3):
            log.record(actor="anonymous", operation="x", outcome="refused: 401",
                       client=client, bytes=1)
    t[0] = 20.0  # three summaries due at once, written before this entry
    log.record(actor="alice", operation="import", outcome="ok", detail="d" * 300)
    log.verify()
    entries = log.entries()
    assert [e["operation"] for e in entries[-4:]] == ["audit.suppressed"] * 3 + ["import"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    log.record(actor="alice", operation="import", outcome="ok")
    log.verify()
