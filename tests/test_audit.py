"""The audit log: durable JSON lines, a hash chain that shows edits and deletions, a
torn last line repaired (and recorded) on open, and appends from several processes."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.audit import GENESIS, AuditLog, line_hash, open_audit
from graph.cli import cli
from graph.errors import IntegrityError
from graph.state import AUDIT_FILE
from graph.store import OxigraphStore


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record(actor="alice", operation="import", outcome="ok", graph=f"urn:g{i}",
                   bytes=100 + i, triples=i, detail="naïve 中文", file="x.ttl")


@pytest.mark.parametrize("on_disk", [True, False])
def test_entries_are_chained_and_complete(tmp_path: Path, on_disk: bool) -> None:
    log = AuditLog(tmp_path / "a.jsonl" if on_disk else None)
    _fill(log, 5)
    entries = log.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev"] == GENESIS
    assert entries[3]["graph"] == "urn:g3" and entries[3]["file"] == "x.ttl"
    assert entries[3]["time"].endswith("Z") and len(entries[3]["time"]) == 24
    assert [e["seq"] for e in log.entries(limit=2)] == [4, 5]
    assert [e["seq"] for e in log.entries(since_seq=3)] == [4, 5]
    log.verify()
    assert log.head()[0] == 5
    if on_disk:
        lines = (tmp_path / "a.jsonl").read_bytes().splitlines()
        assert json.loads(lines[2])["prev"] == line_hash(lines[1])
        assert log.head()[1] == line_hash(lines[-1])
    with pytest.raises(ValueError, match="seq"):
        log.record(actor="a", operation="o", outcome="ok", seq=9)


def _rewrite(path: Path, edit: object) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    assert callable(edit)
    path.write_bytes(b"".join(edit(lines)))


@pytest.mark.parametrize(("edit", "line", "why"), [
    (lambda ls: [*ls[:2], ls[2].replace(b"alice", b"mallo"), *ls[3:]], 4, "hash chain"),
    (lambda ls: [*ls[:2], *ls[3:]], 3, "sequence number"),
    (lambda ls: [*ls[:2], b"not json\n", *ls[3:]], 3, "not a JSON"),
    (lambda ls: [ls[1], ls[0], *ls[2:]], 1, "sequence number"),
])
def test_tampering_is_found_with_its_line(tmp_path: Path, edit: object, line: int,
                                          why: str) -> None:
    path = tmp_path / "a.jsonl"
    _fill(AuditLog(path), 5)
    _rewrite(path, edit)
    with pytest.raises(IntegrityError, match=why) as err:
        AuditLog(path).verify()
    assert err.value.where == f"{path}:{line}"


def test_cli_verify_names_the_broken_line(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    _fill(AuditLog(path), 3)
    ok = CliRunner().invoke(cli, ["audit", "--verify", "--store", str(tmp_path)])
    assert ok.exit_code == 0 and "intact: 3 entries" in ok.output
    _rewrite(path, lambda ls: [ls[0], ls[1].replace(b"urn:g1", b"urn:gX"), ls[2]])
    bad = CliRunner().invoke(cli, ["audit", "--verify", "--store", str(tmp_path)])
    assert bad.exit_code == 1 and f"{path}:3" in bad.output
    table = CliRunner().invoke(cli, ["audit", "--limit", "2", "--store", str(tmp_path)])
    assert "urn:g2" in table.output and "urn:g0" not in table.output
    lines = CliRunner().invoke(cli, ["audit", "--format", "json", "--store", str(tmp_path)])
    assert [json.loads(x)["seq"] for x in lines.output.splitlines()] == [1, 2, 3]


def test_a_torn_last_line_is_cut_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    _fill(AuditLog(path), 3)
    complete = path.read_bytes()
    torn = b'{"seq":4,"time":"2025-01-01T00:00:00.000Z","actor":"bo'
    path.write_bytes(complete + torn)
    log = AuditLog(path)
    assert log.recovered is not None and log.recovered["operation"] == "audit.recover"
    assert log.recovered["bytes"] == len(torn) and log.recovered["torn"] == torn.decode()
    assert path.read_bytes().startswith(complete)
    log.verify()
    assert [e["seq"] for e in log.entries()] == [1, 2, 3, 4]
    log.record(actor="alice", operation="import", outcome="ok")
    AuditLog(path).verify()


def test_a_shrunken_log_is_not_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    log = AuditLog(path)
    _fill(log, 3)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:2]))
    with pytest.raises(IntegrityError, match="shrank"):
        log.record(actor="alice", operation="import", outcome="ok")


def _append_many(path: str, who: str, n: int) -> None:
    log = AuditLog(Path(path))
    for i in range(n):
        log.record(actor=who, operation="import", outcome="ok", triples=i)


def test_two_processes_appending_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(path), f"p{i}", 40)) for i in range(2)]
    for p in procs:
        p.start()
    _append_many(str(path), "main", 40)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    log = AuditLog(path)
    log.verify()
    entries = log.entries()
    assert len(entries) == 120
    assert {e["actor"] for e in entries} == {"p0", "p1", "main"}


def test_open_audit_lives_in_the_store_folder(disk_store: OxigraphStore,
                                              seed_store: OxigraphStore) -> None:
    assert open_audit(disk_store).path == Path(disk_store.location) / AUDIT_FILE
    assert open_audit(seed_store).path is None
