"""Write tokens: secrets shown once and stored hashed, names unique, revocation final,
and a second process (the CLI beside a server) sees changes at once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.errors import InvalidParameter, UnknownEntity
from graph.state import TOKENS_FILE
from graph.store import OxigraphStore
from graph.tokens import PREFIX, TokenStore, digest, open_tokens


def test_create_verify_revoke_and_list(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "t.sqlite3")
    secret = tokens.create("alice")
    assert secret.startswith(PREFIX) and len(secret) >= len(PREFIX) + 43
    assert tokens.verify(secret) == "alice"
    assert tokens.verify(secret + "x") is None and tokens.verify("") is None
    other = tokens.create("bot-1")
    assert other != secret and tokens.verify(other) == "bot-1"
    tokens.revoke("alice")
    assert tokens.verify(secret) is None and tokens.verify(other) == "bot-1"
    listed = {t.name: t for t in tokens.list()}
    assert set(listed) == {"alice", "bot-1"}
    assert listed["alice"].revoked and not listed["alice"].active
    assert listed["bot-1"].last_used is not None and listed["bot-1"].revoked is None
    known = tokens.lookup(secret)
    assert known is not None and known.name == "alice" and not known.active


def test_only_the_hash_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    secret = TokenStore(path).create("alice")
    db = sqlite3.connect(path)
    rows = db.execute("SELECT name, hash FROM tokens").fetchall()
    assert rows == [("alice", digest(secret))]
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert secret.encode() not in raw and secret[len(PREFIX):].encode() not in raw


def test_names_are_unique_for_ever_and_checked(tmp_path: Path) -> None:
    tokens = TokenStore(None)
    tokens.create("alice")
    tokens.revoke("alice")
    with pytest.raises(InvalidParameter, match="exists already"):
        tokens.create("alice")
    for bad in ["", " alice", "a b", "x" * 65, "env:SURVKG_WRITE_TOKEN", "-x"]:
        with pytest.raises(InvalidParameter):
            tokens.create(bad)
    with pytest.raises(UnknownEntity) as err:
        tokens.revoke("alicia")
    assert "alice" in err.value.candidates


def test_a_second_process_sees_changes_at_once(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    server_side = TokenStore(store_dir / TOKENS_FILE)
    run = CliRunner().invoke(cli, ["token", "create", "alice", "--store", str(store_dir)])
    assert run.exit_code == 0, run.output
    secret = run.stdout.strip()
    assert "will not be shown again" in run.stderr
    assert server_side.verify(secret) == "alice"
    listed = CliRunner().invoke(cli, ["token", "list", "--store", str(store_dir)])
    assert "alice" in listed.output and secret not in listed.output
    assert CliRunner().invoke(cli, ["token", "revoke", "alice", "--store",
                                    str(store_dir)]).exit_code == 0
    assert server_side.verify(secret) is None
    missing = CliRunner().invoke(cli, ["token", "revoke", "nobody", "--store", str(store_dir)])
    assert missing.exit_code == 1 and "nobody" in missing.output


def test_open_tokens_lives_in_the_store_folder(disk_store: OxigraphStore,
                                               seed_store: OxigraphStore) -> None:
    tokens = open_tokens(disk_store)
    assert tokens.path == Path(disk_store.location) / TOKENS_FILE
    tokens.create("alice")
    assert tokens.path.exists()
    assert open_tokens(seed_store).path is None
