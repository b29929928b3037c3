"""Backups: a snapshot of a used store (seeds, an extra graph, audit entries, tokens, an
archived import) restores into an equal store; damaged or tampered backups are refused
and leave nothing behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph.audit import open_audit
from graph.backup import MANIFEST, STORE_DIR, backup, dataset_digest, restore
from graph.cli import cli
from graph.errors import IntegrityError, InvalidParameter
from graph.loading import open_store
from graph.state import AUDIT_FILE, IMPORTS_ARCHIVE, TOKENS_FILE
from graph.store import OxigraphStore
from graph.tokens import open_tokens

G = ox.NamedNode("https://w3id.org/survkg/graph/user/backup-test")


def _used_store(folder: Path) -> tuple[OxigraphStore, str]:
    store = open_store(folder)
    store.extend([ox.Quad(ox.NamedNode(f"urn:b:{i}"), ox.NamedNode("urn:b:p"),
                          ox.Literal(f"value {i} 中文"), G) for i in range(50)]
                 + [ox.Quad(ox.BlankNode(), ox.NamedNode("urn:b:p"), ox.Literal("blank"), G)])
    audit = open_audit(store)
    for i in range(4):
        audit.record(actor="alice", operation="POST /api/import", outcome="ok", graph=G.value,
                     triples=i)
    secret = open_tokens(store).create("alice")
    (folder / IMPORTS_ARCHIVE).mkdir()
    (folder / IMPORTS_ARCHIVE / "0001-findings.csv").write_text("supplier,recipient\n")
    return store, secret


def test_backup_restores_an_equal_store(tmp_path: Path) -> None:
    store, secret = _used_store(tmp_path / "store")
    manifest = backup(store, tmp_path / "bk")
    assert manifest.quads == len(store) and manifest.audit_seq == 4 and manifest.tokens == 1
    assert list(manifest.imports) == ["0001-findings.csv"]
    original = sorted(store.export(None, ox.RdfFormat.N_QUADS).splitlines())  # type: ignore
    # the store stays usable after a backup, and later writes are not in it
    store.extend([ox.Quad(ox.NamedNode("urn:b:later"), ox.NamedNode("urn:b:p"),
                          ox.Literal("x"), G)])
    store.close()

    run = CliRunner().invoke(cli, ["restore", str(tmp_path / "bk"), "--store",
                                   str(tmp_path / "restored")])
    assert run.exit_code == 0, run.output
    restored = OxigraphStore(tmp_path / "restored")
    assert sorted(restored.export(None, ox.RdfFormat.N_QUADS).splitlines()) == original  # type: ignore
    assert dataset_digest(restored) == (manifest.quads, manifest.dataset_sha256)
    audit = open_audit(restored)
    audit.verify()
    assert audit.head() == (manifest.audit_seq, manifest.audit_hash)
    assert open_tokens(restored).verify(secret) == "alice"
    assert (tmp_path / "restored" / IMPORTS_ARCHIVE / "0001-findings.csv").exists()


def test_cli_backup_beside_an_open_store(tmp_path: Path) -> None:
    """The CLI reads the store read-only, so it works while a server holds the store."""
    store, _ = _used_store(tmp_path / "store")
    run = CliRunner().invoke(cli, ["backup", str(tmp_path / "bk"), "--store",
                                   str(tmp_path / "store")])
    assert run.exit_code == 0, run.output
    assert f"dataset sha256 {dataset_digest(store)[1]}" in run.output
    again = CliRunner().invoke(cli, ["backup", str(tmp_path / "bk"), "--store",
                                     str(tmp_path / "store")])
    assert again.exit_code == 1 and "not an empty folder" in again.output


def _tamper_audit(bk: Path) -> None:
    path = bk / AUDIT_FILE
    path.write_bytes(path.read_bytes().replace(b'"triples":2', b'"triples":7'))


def _swap_store(bk: Path) -> None:
    """Replace the snapshot by one of a store that differs by one quad."""
    other = open_store(bk.parent / "other")
    other.extend([ox.Quad(ox.NamedNode("urn:b:0"), ox.NamedNode("urn:b:p"),
                          ox.Literal("forged"), G)])
    shutil.rmtree(bk / STORE_DIR)
    other.raw.backup(str(bk / STORE_DIR))
    other.close()


def _drop_last_audit_line(bk: Path) -> None:
    path = bk / AUDIT_FILE
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))


def _tamper_archive(bk: Path) -> None:
    (bk / IMPORTS_ARCHIVE / "0001-findings.csv").write_text("supplier,recipient\nx,y\n")


def _tamper_tokens(bk: Path) -> None:
    (bk / TOKENS_FILE).write_bytes(b"not a database" * 100)


@pytest.mark.parametrize(("tamper", "message"), [
    (_tamper_audit, "hash chain broken"),
    (_swap_store, "dataset differs"),
    (_drop_last_audit_line, "audit log ends at"),
    (_tamper_archive, "content differs"),
    (_tamper_tokens, "not a token database"),
])
def test_a_tampered_backup_is_refused(tmp_path: Path, tamper: object, message: str) -> None:
    store, _ = _used_store(tmp_path / "store")
    backup(store, tmp_path / "bk")
    store.close()
    assert callable(tamper)
    tamper(tmp_path / "bk")
    (tmp_path / "target").mkdir()  # an empty folder is an acceptable target
    with pytest.raises(IntegrityError, match=message):
        restore(tmp_path / "bk", tmp_path / "target")
    assert list((tmp_path / "target").iterdir()) == []
    assert not (tmp_path / ".target.restoring").exists()


def test_restore_refuses_non_empty_targets_and_non_backups(tmp_path: Path) -> None:
    store, _ = _used_store(tmp_path / "store")
    backup(store, tmp_path / "bk")
    with pytest.raises(InvalidParameter, match="not an empty folder"):
        restore(tmp_path / "bk", tmp_path / "store")
    (tmp_path / "notabackup").mkdir()
    with pytest.raises(InvalidParameter, match="not a survkg backup"):
        restore(tmp_path / "notabackup", tmp_path / "new")
    manifest = json.loads((tmp_path / "bk" / MANIFEST).read_text())
    manifest["format"] = 99
    (tmp_path / "bk" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IntegrityError, match="format 99"):
        restore(tmp_path / "bk", tmp_path / "new")
    with pytest.raises(InvalidParameter, match="in-memory"):
        backup(open_store(memory=True), tmp_path / "mem")
