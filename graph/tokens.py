"""Write tokens: named bearer secrets, shown once, stored only as hashes.

Every write route (imports, findings, retractions, SPARQL Update) needs a token; read
routes stay open. An operator makes one per person or tool (``survkg token create
alice``) so that the audit log says *who* wrote, and revokes it without touching the
others.

Why SHA-256 and not bcrypt/scrypt/Argon2: a slow key-derivation function exists to make
guessing *low-entropy* secrets (passwords people choose) expensive after the hash file
leaks. A token here is 32 random bytes from :mod:`secrets` (256 bits): no dictionary
covers it and brute force is out of reach whatever the hash costs, so a fast hash loses
nothing, while a slow KDF would cost every authenticated request tens of milliseconds
and would need a per-token salt, which rules out looking a token up by its hash.

The file is SQLite (WAL, ``synchronous=FULL``) so that ``survkg token create`` can run
beside a live server: both processes open the same file, SQLite serialises them, and a
token created or revoked is durable when the command returns and seen by the server's
next request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InvalidParameter, UnknownEntity
from graph.state import TOKENS_FILE, state_path
from graph.store import Store

PREFIX = "skg_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
  name      TEXT PRIMARY KEY,
  hash      TEXT NOT NULL UNIQUE,
  created   TEXT NOT NULL,
  revoked   TEXT,
  last_used TEXT
)"""


@dataclass(frozen=True)
class TokenInfo:
    """What is known about a token (never its secret): times are UTC, ISO 8601."""

    name: str
    created: str
    revoked: str | None
    last_used: str | None

    @property
    def active(self) -> bool:
        return self.revoked is None


def now() -> str:
    """UTC time, ISO 8601 to the millisecond (the audit log's format too)."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    """Named tokens in SQLite at ``path`` (in memory when ``path`` is None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path) if path else ":memory:",
                                   check_same_thread=False, isolation_level=None,
                                   timeout=10)
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_SCHEMA)

    def create(self, name: str) -> str:
        """A new token named ``name``; returns its secret, which is not stored anywhere.

        Names are unique for ever, revoked ones included, so that a name in the audit log
        always means one token.
        """
        if not NAME.match(name):
            raise InvalidParameter("name", f"{name!r}: use 1-64 letters, digits, '.', '_', "
                                           "'@' or '-', starting with a letter or digit")
        secret = PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            try:
                self._db.execute("INSERT INTO tokens (name, hash, created) VALUES (?, ?, ?)",
                                 (name, digest(secret), now()))
            except sqlite3.IntegrityError:
                raise InvalidParameter("name", f"a token named {name!r} exists already "
                                               "(names are never reused)") from None
        return secret

    def revoke(self, name: str) -> None:
        """Revoke ``name`` from now on (revoking twice keeps the first time)."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE tokens SET revoked = COALESCE(revoked, ?) WHERE name = ?", (now(), name))
            if cur.rowcount == 0:
                known = [r[0] for r in self._db.execute("SELECT name FROM tokens ORDER BY name")]
                raise UnknownEntity(name, tuple(known[:10]))

    def lookup(self, secret: str) -> TokenInfo | None:
        """The token whose secret this is, revoked or not; None if there is none.

        The row is found by the secret's hash (an index lookup, whose timing can reveal
        only something about a hash of the guess, not about any stored secret), then the
        hashes are compared in constant time anyway.
        """
        h = digest(secret)
        with self._lock:
            row = self._db.execute("SELECT name, hash, created, revoked, last_used FROM tokens "
                                   "WHERE hash = ?", (h,)).fetchone()
        if row is None or not hmac.compare_digest(row[1], h):
            return None
        return TokenInfo(row[0], row[2], row[3], row[4])

    def verify(self, secret: str) -> str | None:
        """The name of the active token ``secret`` belongs to, else None (also records
        when it was last used)."""
        info = self.lookup(secret)
        if info is None or not info.active:
            return None
        with self._lock:
            self._db.execute("UPDATE tokens SET last_used = ? WHERE name = ?",
                             (now(), info.name))
        return info.name

    def list(self) -> list[TokenInfo]:
        with self._lock:
            rows = self._db.execute("SELECT name, created, revoked, last_used FROM tokens "
                                    "ORDER BY created, name").fetchall()
        return [TokenInfo(*r) for r in rows]

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database at ``target`` (SQLite's online backup)."""
        dst = sqlite3.connect(str(target))
        try:
            with self._lock:
                self._db.backup(dst)
        finally:
            dst.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_tokens(store: Store) -> TokenStore:
    """The token store kept in ``store``'s folder (in memory for an in-memory store)."""
    return TokenStore(state_path(store, TOKENS_FILE))
