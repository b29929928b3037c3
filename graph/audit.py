"""The audit log: every write attempt, accepted or refused, as one hash-chained JSON line.

The graph is evidence in human-rights work, so a change must never happen without a
trace. Each entry says when (UTC, ms), who (the token's name, or ``anonymous`` /
``invalid token``), what (operation, named graph, bytes, triples, detail) and the
outcome. :meth:`AuditLog.record` returns only once the line is written, flushed and
fsynced: a caller acknowledges a write after recording it, so anything acknowledged is
in the log even after a power cut.

Tamper evidence: every line carries ``seq`` (1, 2, 3...) and ``prev``, the SHA-256 of
the previous line's bytes (64 zeros for the first). Editing, inserting or deleting a
line breaks the chain at that line, and :meth:`AuditLog.verify` says which. Cutting
whole lines off the *end* leaves a valid shorter chain; that is caught against a head
(last ``seq`` and hash) kept elsewhere: a backup's manifest, or one an operator notes
from ``survkg audit --verify``; a running log also refuses to append after its file
shrank.

Crashes: a crash in the middle of an append can leave a torn last line (no newline).
It was never acknowledged, so opening the log cuts it off and appends an
``audit.recover`` entry holding the torn bytes, so that the repair itself is recorded.

Several processes (the server and a CLI command beside it) may append: each append
holds an advisory ``flock`` on the file and reads the current last line under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.errors import IntegrityError
from graph.state import AUDIT_FILE, state_path
from graph.store import Store, fsync_path
from graph.tokens import now

log = logging.getLogger("survkg.audit")

GENESIS = "0" * 64
RESERVED = frozenset({"seq", "time", "prev"})


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def _encode(entry: dict[str, Any]) -> bytes:
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from hostile input: escape everything
        return json.dumps(entry, separators=(",", ":"), default=str).encode("ascii")


def _last_line(fd: int, size: int) -> bytes:
    """The last complete line (without its newline) of a file that ends with one."""
    pos, buf = size - 1, b""
    while pos > 0:
        start = max(0, pos - 65536)
        buf = os.pread(fd, pos - start, start) + buf
        pos = start
        cut = buf.rfind(b"\n")
        if cut >= 0:
            return buf[cut + 1:]
    return buf


class AuditLog:
    """Append-only, hash-chained JSON lines at ``path`` (kept in memory if None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: list[bytes] = []
        self._size = 0  # file size after our last append, to notice truncation
        #: The ``audit.recover`` entry written on open after a torn last line, if any.
        self.recovered: dict[str, Any] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._repair()

    # ------------------------------------------------------------------ writing

    def record(self, *, actor: str, operation: str, outcome: str, graph: str | None = None,
               bytes: int | None = None, triples: int | None = None,
               detail: str | None = None, **extra: object) -> dict[str, Any]:
        """Append one entry and return it, once it is durable (fsynced)."""
        clash = RESERVED & extra.keys()
        if clash:
            raise ValueError(f"audit fields {sorted(clash)} are set by the log itself")
        fields: dict[str, Any] = {"actor": actor, "operation": operation, "outcome": outcome,
                                  "graph": graph, "bytes": bytes, "triples": triples,
                                  "detail": detail, **extra}
        with self._lock:
            if self.path is None:
                entry = self._chain(fields, self._memory[-1] if self._memory else None)
                self._memory.append(_encode(entry))
            else:
                with self._locked_fd() as fd:
                    entry = self._append(fd, fields)
        log.info("%s", json.dumps(entry, ensure_ascii=False, default=str))
        return entry

    async def arecord(self, **fields: Any) -> dict[str, Any]:
        """:meth:`record` off the event loop (it waits for the disk)."""
        return await asyncio.to_thread(lambda: self.record(**fields))

    @staticmethod
    def _chain(fields: dict[str, Any], last: bytes | None) -> dict[str, Any]:
        seq = 1 if last is None else int(json.loads(last)["seq"]) + 1
        prev = GENESIS if last is None else line_hash(last)
        return {"seq": seq, "time": now(), **fields, "prev": prev}

    def _append(self, fd: int, fields: dict[str, Any]) -> dict[str, Any]:
        size = os.fstat(fd).st_size
        if size < self._size:
            raise IntegrityError(str(self.path), f"the log shrank from {self._size} to {size} "
                                 "bytes since this process last wrote to it; refusing to "
                                 "append (restore it from a backup)")
        entry = self._chain(fields, _last_line(fd, size) if size else None)
        os.write(fd, _encode(entry) + b"\n")
        os.fsync(fd)
        self._size = os.fstat(fd).st_size
        return entry

    @contextlib.contextmanager
    def _locked_fd(self) -> Iterator[int]:
        assert self.path is not None
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if created:
                fsync_path(self.path.parent)
            yield fd
        finally:
            os.close(fd)  # also releases the flock

    def _repair(self) -> None:
        """Cut a torn last line left by a crash, and record that it was cut."""
        with self._lock, self._locked_fd() as fd:
            size = os.fstat(fd).st_size
            if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
                self._size = size
                return
            tail_start = size - len(_last_line(fd, size + 1))  # +1: count the torn bytes
            torn = os.pread(fd, size - tail_start, tail_start)
            os.ftruncate(fd, tail_start)
            os.fsync(fd)
            log.warning("audit log %s: cut a torn last line of %d bytes", self.path, len(torn))
            self.recovered = self._append(fd, {
                "actor": "survkg", "operation": "audit.recover", "outcome": "repaired",
                "graph": None, "bytes": len(torn), "triples": None,
                "detail": f"cut an incomplete last line of {len(torn)} bytes left by a crash "
                          "during an append (it was never acknowledged)",
                "torn": torn[:4096].decode("utf-8", "replace")})

    # ------------------------------------------------------------------ reading

    def _lines(self) -> list[bytes]:
        """Every complete line (a torn or in-progress last line is left out)."""
        if self.path is None:
            with self._lock:
                return list(self._memory)
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        return data[: data.rfind(b"\n") + 1].splitlines()

    def entries(self, limit: int | None = None, since_seq: int | None = None
                ) -> list[dict[str, Any]]:
        """Entries in order; only those after ``since_seq``; only the last ``limit``."""
        found = [json.loads(line) for line in self._lines()]
        if since_seq is not None:
            found = [e for e in found if e.get("seq", 0) > since_seq]
        if limit is not None:
            found = found[-limit:] if limit > 0 else []
        return found

    def verify(self) -> None:
        """Check the whole chain; raise :class:`IntegrityError` naming the first bad line."""
        where = str(self.path or "<memory audit log>")
        prev = GENESIS
        for number, line in enumerate(self._lines(), start=1):
            try:
                entry = json.loads(line)
            except ValueError as exc:
                raise IntegrityError(f"{where}:{number}", f"not a JSON object: {exc}") from None
            if not isinstance(entry, dict):
                raise IntegrityError(f"{where}:{number}", "not a JSON object")
            if entry.get("seq") != number:
                raise IntegrityError(f"{where}:{number}", f"sequence number {entry.get('seq')!r}"
                                     f" where {number} was expected (a line removed or added)")
            if entry.get("prev") != prev:
                raise IntegrityError(f"{where}:{number}", "hash chain broken: 'prev' is not the "
                                     f"SHA-256 of line {number - 1} (a line edited or removed)")
            prev = line_hash(line)

    def head(self) -> tuple[int, str]:
        """The last entry's ``seq`` and the SHA-256 of its line ((0, zeros) when empty)."""
        lines = self._lines()
        if not lines:
            return 0, GENESIS
        return int(json.loads(lines[-1])["seq"]), line_hash(lines[-1])

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Hold off every append (this process's and others') for the block."""
        with self._lock:
            if self.path is None:
                yield
                return
            with self._locked_fd():
                yield

    def copy_to(self, target: Path) -> tuple[int, str]:
        """Copy the complete lines to ``target`` (call inside :meth:`frozen`); the head."""
        if self.path is None:
            target.write_bytes(b"".join(line + b"\n" for line in self._memory))
        else:
            data = self.path.read_bytes() if self.path.exists() else b""
            target.write_bytes(data[: data.rfind(b"\n") + 1])
        return AuditLog._head_of(target)

    @staticmethod
    def _head_of(path: Path) -> tuple[int, str]:
        lines = path.read_bytes().splitlines()
        return (int(json.loads(lines[-1])["seq"]), line_hash(lines[-1])) if lines else \
            (0, GENESIS)


def open_audit(store: Store) -> AuditLog:
    """The audit log kept in ``store``'s folder (in memory for an in-memory store)."""
    return AuditLog(state_path(store, AUDIT_FILE))
