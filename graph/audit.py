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

Size: refused attempts are recorded by size and digest and beyond a rate only counted
(:mod:`graph.audit_refusals`); the live file is rotated once it reaches ``max_bytes``
into a closed segment ``<stem>.<first seq, 12 digits><suffix>`` beside it, and the chain
runs on across files (the new file's first ``prev`` is the hash of the segment's last
line), so :meth:`AuditLog.verify` checks every file in order. Readers page through the
segments (:meth:`AuditLog.entries`) and never load the whole history.
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

from graph.audit_refusals import RefusalLimiter, compact, is_refusal
from graph.errors import IntegrityError
from graph.state import AUDIT_FILE, state_path
from graph.store import Store, fsync_path
from graph.tokens import now

log = logging.getLogger("survkg.audit")

GENESIS = "0" * 64
RESERVED = frozenset({"seq", "time", "prev"})
#: Size at which the live file is rotated into a closed segment.
SEGMENT_BYTES = 16 * 1024 * 1024


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


def _tail_line(path: Path) -> bytes | None:
    """The last complete line of a file (a torn end is ignored), or None."""
    try:
        f = path.open("rb")
    except FileNotFoundError:
        return None
    with f:
        fd = f.fileno()
        pos = os.fstat(fd).st_size
        while pos > 0:
            start = max(0, pos - 65536)
            cut = os.pread(fd, pos - start, start).rfind(b"\n")
            if cut >= 0:
                return _last_line(fd, start + cut + 1) or None
            pos = start
    return None


def segment_name(path: Path, first_seq: int) -> Path:
    """The closed segment of the log at ``path`` whose first entry is ``first_seq``."""
    return path.with_name(f"{path.stem}.{first_seq:012d}{path.suffix}")


def segment_files(path: Path) -> list[Path]:
    """The closed segments of the log at ``path``, oldest first."""
    return sorted(path.parent.glob(f"{path.stem}.{'[0-9]' * 12}{path.suffix}"))


class AuditLog:
    """Append-only, hash-chained JSON lines at ``path`` (kept in memory if None), rotated
    into segments beside it at ``max_bytes``."""

    def __init__(self, path: Path | None, *, max_bytes: int = SEGMENT_BYTES,
                 limiter: RefusalLimiter | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.limiter = limiter if limiter is not None else RefusalLimiter()
        self._lock = threading.Lock()
        self._memory: list[bytes] = []
        self._size = 0  # file size after our last append, to notice truncation
        self._ino = -1  # ... of that file (a rotation starts a new one)
        #: The ``audit.recover`` entry written on open after a torn last line, if any.
        self.recovered: dict[str, Any] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._repair()

    # ------------------------------------------------------------------ writing

    def record(self, *, actor: str, operation: str, outcome: str, graph: str | None = None,
               bytes: int | None = None, triples: int | None = None,
               detail: str | None = None, **extra: object) -> dict[str, Any]:
        """Append one entry and return it, once it is durable (fsynced). A refusal is
        compacted, and beyond the rate only counted (the fields are returned with
        ``"suppressed": True``, unwritten)."""
        clash = RESERVED & extra.keys()
        if clash:
            raise ValueError(f"audit fields {sorted(clash)} are set by the log itself")
        fields: dict[str, Any] = {"actor": actor, "operation": operation, "outcome": outcome,
                                  "graph": graph, "bytes": bytes, "triples": triples,
                                  "detail": detail, **extra}
        refused = is_refusal(outcome)
        if refused:
            fields = compact(fields)
        with self._lock:
            batch = self.limiter.due()
            if refused and not self.limiter.admit(self.limiter.client_of(actor, fields),
                                                  fields):
                if not batch:
                    return {**fields, "suppressed": True}
                fields = {**fields, "suppressed": True}
            else:
                batch.append(fields)
            written = self._write(batch)
        for entry in written:
            log.info("%s", json.dumps(entry, ensure_ascii=False, default=str))
        return written[-1] if not fields.get("suppressed") else fields

    def flush(self) -> None:
        """Write the summaries of every refusal counted and not yet written."""
        with self._lock:
            self._write(self.limiter.due(everything=True))

    def _write(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not batch:
            return []
        if self.path is None:
            out = []
            for fields in batch:
                entry = self._chain(fields, self._memory[-1] if self._memory else None)
                self._memory.append(_encode(entry))
                out.append(entry)
            return out
        with self._locked_fd() as fd:
            return [self._append(fd, fields) for fields in batch]

    async def arecord(self, **fields: Any) -> dict[str, Any]:
        """:meth:`record` off the event loop (it waits for the disk)."""
        return await asyncio.to_thread(lambda: self.record(**fields))

    @staticmethod
    def _chain(fields: dict[str, Any], last: bytes | None) -> dict[str, Any]:
        seq = 1 if last is None else int(json.loads(last)["seq"]) + 1
        prev = GENESIS if last is None else line_hash(last)
        return {"seq": seq, "time": now(), **fields, "prev": prev}

    def _append(self, fd: int, fields: dict[str, Any]) -> dict[str, Any]:
        st = os.fstat(fd)
        size = st.st_size
        if st.st_ino == self._ino and size < self._size:
            raise IntegrityError(str(self.path), f"the log shrank from {self._size} to {size} "
                                 "bytes since this process last wrote to it; refusing to "
                                 "append (restore it from a backup)")
        last = _last_line(fd, size) if size else self._segment_tail()
        entry = self._chain(fields, last)
        os.write(fd, _encode(entry) + b"\n")
        os.fsync(fd)
        self._size, self._ino = os.fstat(fd).st_size, st.st_ino
        if self._size >= self.max_bytes and self._is_live(st.st_ino):
            self._rotate(fd)
        return entry

    def _is_live(self, ino: int) -> bool:
        """Whether ``ino`` is still the live file (not one rotated earlier in a batch)."""
        assert self.path is not None
        try:
            return os.stat(self.path).st_ino == ino
        except FileNotFoundError:
            return False

    def _rotate(self, fd: int) -> None:
        """Close the live file (held under its flock) as a segment; the next append
        opens a new live file."""
        assert self.path is not None
        first = json.loads(os.pread(fd, 65536, 0).split(b"\n", 1)[0])["seq"]
        os.rename(self.path, self._segment_name(int(first)))
        fsync_path(self.path.parent)

    def _segment_name(self, first_seq: int) -> Path:
        assert self.path is not None
        return segment_name(self.path, first_seq)

    def segments(self) -> list[Path]:
        """The closed segments, oldest first (the live file not included)."""
        return [] if self.path is None else segment_files(self.path)

    def files(self) -> list[Path]:
        """Every file of the log in chain order: the segments, then the live file."""
        if self.path is None:
            return []
        return [*self.segments(), *([self.path] if self.path.exists() else [])]

    def _segment_tail(self) -> bytes | None:
        """The last line of the newest segment (the chain's end when the live file is
        empty), or None when there is none."""
        segs = self.segments()
        return _tail_line(segs[-1]) if segs else None

    @contextlib.contextmanager
    def _locked_fd(self) -> Iterator[int]:
        assert self.path is not None
        while True:
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    current = os.stat(self.path).st_ino
                except FileNotFoundError:
                    current = -1
                if current != os.fstat(fd).st_ino:
                    continue  # rotated by another process while we waited: reopen
                if created:
                    fsync_path(self.path.parent)
                yield fd
                return
            finally:
                os.close(fd)  # also releases the flock

    def _repair(self) -> None:
        """Cut a torn last line left by a crash, and record that it was cut."""
        with self._lock, self._locked_fd() as fd:
            size = os.fstat(fd).st_size
            if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
                self._size, self._ino = size, os.fstat(fd).st_ino
                return
            tail_start = size - len(_last_line(fd, size + 1))  # +1: count the torn bytes
            torn = os.pread(fd, size - tail_start, tail_start)
            os.ftruncate(fd, tail_start)
            os.fsync(fd)
            self._size, self._ino = tail_start, os.fstat(fd).st_ino
            log.warning("audit log %s: cut a torn last line of %d bytes", self.path, len(torn))
            self.recovered = self._append(fd, {
                "actor": "survkg", "operation": "audit.recover", "outcome": "repaired",
                "graph": None, "bytes": len(torn), "triples": None,
                "detail": f"cut an incomplete last line of {len(torn)} bytes left by a crash "
                          "during an append (it was never acknowledged)",
                "torn": torn[:4096].decode("utf-8", "replace")})

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _file_lines(path: Path) -> list[bytes]:
        """The complete lines of one file (a torn or in-progress last line left out)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return []
        return data[: data.rfind(b"\n") + 1].splitlines()

    def _chunks(self) -> list[tuple[int, Path | None]]:
        """(first seq, file) of every file in chain order (the live file's first seq is
        one after the newest segment's last)."""
        if self.path is None:
            return [(1, None)]
        segs = self.segments()
        out: list[tuple[int, Path | None]] = [
            (int(p.name[len(self.path.stem) + 1:][:12]), p) for p in segs]
        if self.path.exists():
            tail = _tail_line(segs[-1]) if segs else None
            out.append((int(json.loads(tail)["seq"]) + 1 if tail else 1, self.path))
        return out

    def _lines_of(self, source: Path | None) -> list[bytes]:
        if source is None:
            with self._lock:
                return list(self._memory)
        return self._file_lines(source)

    def entries(self, limit: int | None = None, since_seq: int | None = None,
                before_seq: int | None = None) -> list[dict[str, Any]]:
        """Entries in order, read one file at a time. With ``since_seq``: the first
        ``limit`` after it (paging forward); otherwise the last ``limit`` (before
        ``before_seq`` if given: paging backward). No limit: all that match."""
        chunks = self._chunks()
        if since_seq is not None:
            starts = [first for first, _ in chunks]
            keep = [c for i, c in enumerate(chunks)
                    if i + 1 >= len(starts) or starts[i + 1] > since_seq + 1]
            found: list[dict[str, Any]] = []
            for _, source in keep:
                for line in self._lines_of(source):
                    entry = json.loads(line)
                    if entry.get("seq", 0) > since_seq and (
                            before_seq is None or entry.get("seq", 0) < before_seq):
                        found.append(entry)
                        if limit is not None and len(found) >= limit:
                            return found
            return found
        if limit is not None and limit <= 0:
            return []
        tail: list[dict[str, Any]] = []
        for first, source in reversed(chunks):
            if before_seq is not None and first >= before_seq:
                continue
            page = [json.loads(line) for line in self._lines_of(source)]
            if before_seq is not None:
                page = [e for e in page if e.get("seq", 0) < before_seq]
            tail = page + tail
            if limit is not None and len(tail) >= limit:
                return tail[-limit:]
        return tail

    def verify(self) -> None:
        """Check the whole chain, across every file; raise :class:`IntegrityError` naming
        the first bad line (file and line number in that file)."""
        prev, expected = GENESIS, 1
        for _, source in self._chunks():
            where = str(source or "<memory audit log>")
            for number, line in enumerate(self._lines_of(source), start=1):
                try:
                    entry = json.loads(line)
                except ValueError as exc:
                    raise IntegrityError(f"{where}:{number}",
                                         f"not a JSON object: {exc}") from None
                if not isinstance(entry, dict):
                    raise IntegrityError(f"{where}:{number}", "not a JSON object")
                if entry.get("seq") != expected:
                    raise IntegrityError(f"{where}:{number}", f"sequence number "
                                         f"{entry.get('seq')!r} where {expected} was expected "
                                         "(a line removed or added)")
                if entry.get("prev") != prev:
                    raise IntegrityError(f"{where}:{number}", "hash chain broken: 'prev' is "
                                         "not the SHA-256 of the line before it (a line "
                                         "edited or removed)")
                prev, expected = line_hash(line), expected + 1

    def head(self) -> tuple[int, str]:
        """The last entry's ``seq`` and the SHA-256 of its line ((0, zeros) when empty)."""
        last: bytes | None = None
        if self.path is None:
            lines = self._lines_of(None)
            last = lines[-1] if lines else None
        else:
            for source in reversed(self.files()):
                last = _tail_line(source)
                if last:
                    break
        if not last:
            return 0, GENESIS
        return int(json.loads(last)["seq"]), line_hash(last)

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
        """Copy the complete lines of every file to ``target`` and the segments beside it
        (call inside :meth:`frozen`); the head."""
        if self.path is None:
            target.write_bytes(b"".join(line + b"\n" for line in self._memory))
        else:
            for seg in self.segments():
                first = int(seg.name[len(self.path.stem) + 1:][:12])
                segment_name(target, first).write_bytes(seg.read_bytes())
            data = self.path.read_bytes() if self.path.exists() else b""
            target.write_bytes(data[: data.rfind(b"\n") + 1])
        return AuditLog(target).head()


def open_audit(store: Store, refusals_per_minute: int | None = None) -> AuditLog:
    """The audit log kept in ``store``'s folder (in memory for an in-memory store);
    ``refusals_per_minute`` per client written in full (0: all; None: the default)."""
    limiter = None if refusals_per_minute is None else RefusalLimiter(refusals_per_minute)
    return AuditLog(state_path(store, AUDIT_FILE), limiter=limiter)
