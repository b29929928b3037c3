"""Backups: a consistent snapshot of the store folder, and a restore that proves itself.

A backup folder holds:

- ``store/``: a RocksDB checkpoint of the RDF store (pyoxigraph ``Store.backup``): a
  consistent point-in-time copy, made while the store stays in use, with immutable
  table files hard-linked when on the same file system (cheap) and copied otherwise;
- the audit log (complete lines, copied while appends are held off, so its head matches
  the manifest), the token database (SQLite's online backup API) and the archive of
  imported files, when there are any;
- ``manifest.json``, written last (a folder without one is an unfinished backup): time,
  survkg version, quad count, ``dataset_sha256`` (SHA-256 of the store's N-Quads lines,
  sorted, so it depends on the data and not on storage layout), the audit log's head
  (last ``seq`` and line hash), the token count and a SHA-256 per archived file.

:func:`restore` copies into a staging folder beside the target, recomputes all of that
from the copy and compares it with the manifest; only a copy that matches is renamed into
place, so a damaged or tampered backup never becomes a store. The manifest's own
SHA-256, printed by ``survkg backup``, lets an operator check the manifest too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph import __version__
from graph.audit import AuditLog, segment_files
from graph.errors import IntegrityError, InvalidParameter
from graph.state import AUDIT_FILE, CAPTURES, IMPORTS_ARCHIVE, TOKENS_FILE, WATCHLIST_FILE
from graph.store import OxigraphStore, fsync_path
from graph.tokens import TokenStore

MANIFEST = "manifest.json"
STORE_DIR = "store"
FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, and the digests a restore checks it against."""

    time: str
    survkg_version: str
    quads: int
    dataset_sha256: str
    audit_seq: int
    audit_hash: str
    tokens: int | None
    imports: dict[str, str] = field(default_factory=dict)  # relative path -> SHA-256
    captures: dict[str, str] = field(default_factory=dict)  # WARC captures, likewise
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def dataset_digest(store: OxigraphStore) -> tuple[int, str]:
    """Quad count and SHA-256 of the sorted N-Quads lines (one canonical order)."""
    lines = sorted(f"{q} .\n".encode() for q in store.raw)
    h = hashlib.sha256()
    for line in lines:
        h.update(line)
    return len(lines), h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _archive_digests(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): _file_sha256(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _token_count(path: Path) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise IntegrityError(str(path), f"token database damaged: {ok}")
        return int(db.execute("SELECT COUNT(*) FROM tokens").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise IntegrityError(str(path), f"not a token database: {exc}") from None
    finally:
        db.close()


def _fsync_tree(root: Path) -> None:
    """Make a copied folder durable: every file, then every folder, deepest first."""
    for path in [*sorted(root.rglob("*"), reverse=True), root]:
        fsync_path(path)


def _require_empty(folder: Path, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidParameter(what, f"{folder} exists and is not an empty folder")


def backup(store: OxigraphStore, target: Path) -> Manifest:
    """Snapshot ``store`` (on disk; it may stay in use) and its state into ``target``,
    which must not exist or be empty."""
    if store.location == ":memory:":
        raise InvalidParameter("store", "an in-memory store has no folder to back up "
                                        "(use `survkg export --format nquads`)")
    _require_empty(target, "DIR")
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    try:
        return _backup(store, target)
    except BaseException:  # leave the folder as it was: a half backup must not linger
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _backup(store: OxigraphStore, target: Path) -> Manifest:
    folder = Path(store.location)
    audit = AuditLog(folder / AUDIT_FILE)
    with audit.frozen():  # no audit line is added between the two copies
        store.raw.backup(str(target / STORE_DIR))
        seq, head = audit.copy_to(target / AUDIT_FILE)
    tokens = None
    if (folder / TOKENS_FILE).exists():
        source = TokenStore(folder / TOKENS_FILE)
        try:
            source.backup_to(target / TOKENS_FILE)
        finally:
            source.close()
        tokens = _token_count(target / TOKENS_FILE)
    for name in (IMPORTS_ARCHIVE, CAPTURES):
        if (folder / name).is_dir():
            shutil.copytree(folder / name, target / name)
    if (folder / WATCHLIST_FILE).is_file():
        shutil.copyfile(folder / WATCHLIST_FILE, target / WATCHLIST_FILE)
    snapshot = OxigraphStore(target / STORE_DIR, read_only=True)
    try:
        quads, digest = dataset_digest(snapshot)
    finally:
        snapshot.close()
    manifest = Manifest(
        time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), survkg_version=__version__,
        quads=quads, dataset_sha256=digest, audit_seq=seq, audit_hash=head, tokens=tokens,
        imports=_archive_digests(target / IMPORTS_ARCHIVE),
        captures=_archive_digests(target / CAPTURES))
    _fsync_tree(target)
    tmp = target / (MANIFEST + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    fsync_path(tmp)
    os.replace(tmp, target / MANIFEST)
    _fsync_tree(target)
    return manifest


def read_manifest(source: Path) -> Manifest:
    path = source / MANIFEST
    if not path.is_file():
        raise InvalidParameter("DIR", f"{source} has no {MANIFEST}: not a survkg backup, "
                                      "or one that did not finish")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (ValueError, TypeError) as exc:
        raise IntegrityError(str(path), f"unreadable manifest: {exc}") from None
    if manifest.format != FORMAT:
        raise IntegrityError(str(path), f"backup format {manifest.format}; this survkg "
                                        f"reads format {FORMAT}")
    return manifest


def verify(folder: Path, manifest: Manifest) -> None:
    """Check a store folder (a restored copy) against ``manifest``; raise on a difference."""
    store = OxigraphStore(folder, read_only=True)
    try:
        quads, digest = dataset_digest(store)
    finally:
        store.close()
    if (quads, digest) != (manifest.quads, manifest.dataset_sha256):
        raise IntegrityError(str(folder), f"the dataset differs from the manifest: {quads} "
                             f"quads, SHA-256 {digest}; the backup recorded {manifest.quads} "
                             f"quads, SHA-256 {manifest.dataset_sha256}")
    audit = AuditLog(folder / AUDIT_FILE)
    audit.verify()
    if audit.head() != (manifest.audit_seq, manifest.audit_hash):
        raise IntegrityError(str(folder / AUDIT_FILE), f"audit log ends at {audit.head()}; "
                             f"the backup recorded ({manifest.audit_seq}, "
                             f"{manifest.audit_hash!r})")
    tokens = _token_count(folder / TOKENS_FILE) if (folder / TOKENS_FILE).exists() else None
    if tokens != manifest.tokens:
        raise IntegrityError(str(folder / TOKENS_FILE), f"{tokens} tokens; the backup "
                                                        f"recorded {manifest.tokens}")
    for sub, recorded in ((IMPORTS_ARCHIVE, manifest.imports), (CAPTURES, manifest.captures)):
        archive = _archive_digests(folder / sub)
        odd = sorted(archive.keys() ^ recorded.keys())
        if odd:
            raise IntegrityError(str(folder / sub / odd[0]),
                                 "archived file missing, or not in the backup's manifest")
        for name, sha in sorted(archive.items()):
            if recorded[name] != sha:
                raise IntegrityError(str(folder / sub / name),
                                     "content differs from the backup's manifest")


def restore(source: Path, target: Path) -> Manifest:
    """Restore the backup in ``source`` into ``target`` (new or empty), verified first."""
    manifest = read_manifest(source)
    _require_empty(target, "--store")
    staging = target.parent / f".{target.name}.restoring"
    if staging.exists():  # left by a restore that was interrupted
        shutil.rmtree(staging)
    try:
        shutil.copytree(source / STORE_DIR, staging)
        for name in (AUDIT_FILE, TOKENS_FILE, WATCHLIST_FILE):
            if (source / name).exists():
                shutil.copyfile(source / name, staging / name)
        for segment in segment_files(source / AUDIT_FILE):
            shutil.copyfile(segment, staging / segment.name)
        for name in (IMPORTS_ARCHIVE, CAPTURES):
            if (source / name).is_dir():
                shutil.copytree(source / name, staging / name)
        verify(staging, manifest)
        _fsync_tree(staging)
        os.replace(staging, target)  # onto an empty folder too (rename(2))
        fsync_path(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest
