"""Query workers: separate processes that can be killed, over read-only snapshots.

pyoxigraph cannot be interrupted from Python and a hostile query can crash it, so every
public query runs in a worker process (``python -m api.sparql.worker``) and the server
only waits on the worker's pipe, asynchronously: the event loop never blocks.

- **Time limit.** A query that has not answered within ``query_timeout`` seconds has
  its worker killed (SIGKILL); the slot gets a fresh worker straight away.
- **Concurrency.** ``max_concurrent_queries`` slots, one worker each. A request that
  waits longer than ``query_timeout`` for a slot is answered 503 with Retry-After.
  One client address holds at most ``max_queries_per_client`` slots at a time.
- **Crashes.** A worker that dies mid-query yields a clear error and is replaced; the
  server process never runs the engine's parser on public input.
- **A remote store.** Workers keep the network and forward each checked query to the
  store's endpoint (``api/sparql/forward.py``): same check, same limits, no snapshot.
- **Freshness.** Workers read a *snapshot* of the store at a version: a RocksDB
  checkpoint (hard links, milliseconds) of an on-disk store, or an N-Quads dump of an
  in-memory one (each worker loads it into memory, keeping in-memory speed). When the
  store's ``version`` moves on (a write in this process), the next query takes a new
  snapshot and workers on the old one are replaced before they answer again, so a
  client reads its own writes.

Workers are plain subprocesses speaking length-prefixed pickles over stdin/stdout (only
this process writes to them), not ``multiprocessing``: no re-import of the server's main
module in the child, and nothing inherited but the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import shutil
import struct
import sys
import tempfile
import time
import weakref
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from api.sparql.worker import Snapshot, Task
from graph.errors import (
    MissingFeature,
    QueryError,
    QueryRefused,
    QueryTimeout,
    SurvkgError,
    Unavailable,
)
from graph.remote_store import SparqlHttpStore
from graph.store import Store

#: How long a fresh worker may take to open its snapshot before it counts as failed.
READY_TIMEOUT = 300.0
_LIMIT = 2**31


_PREFIX = "survkg-snapshots-"


def clean_stale_snapshots(parent: Path) -> list[Path]:
    """Remove snapshot folders of server processes that are gone (killed with -9).

    A folder is named ``survkg-snapshots-<pid>-<random>``; it is left alone while a
    process of that id runs (it may be another server's).
    """
    removed = []
    for folder in parent.glob(_PREFIX + "*"):
        pid = folder.name[len(_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
            continue
        except ProcessLookupError:
            pass
        except PermissionError:  # alive, another user's
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


#: Why SPARQL Update is refused over a remote store (docs/security.md).
REMOTE_UPDATES = (
    "SPARQL Update is refused on this endpoint: it serves a remote store, and survkg can "
    "neither rehearse an update on a copy of it nor stop one at the time limit; write "
    "with `survkg load --store URL` or the store's own update endpoint")


class Busy(SurvkgError):
    """Every worker stayed busy for the whole wait: the client should retry later."""


@dataclass
class _ClientSlots:
    slots: asyncio.Semaphore
    users: int = 0


async def _wait_for_slot(slots: asyncio.Semaphore, wait: float, busy: str) -> None:
    if not slots.locked():  # fast path: no waiter task
        await slots.acquire()
        return
    try:
        await asyncio.wait_for(slots.acquire(), wait)
    except TimeoutError:
        raise Busy(busy) from None


@dataclass
class Result:
    body: bytes
    truncated: bool
    seconds: float


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process, version: int) -> None:
        self.process = process
        self.version = version
        self.ready: asyncio.Task[None] | None = None

    async def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(struct.pack("!I", len(data)) + data)
        await self.process.stdin.drain()

    async def recv(self) -> Any:
        assert self.process.stdout is not None
        (size,) = struct.unpack("!I", await self.process.stdout.readexactly(4))
        return pickle.loads(await self.process.stdout.readexactly(size))

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()


def _remove_snapshot(snap: Snapshot) -> None:
    """Delete a snapshot's folder (a checkpoint is the folder; a dump lies in one)."""
    shutil.rmtree(Path(snap.path) if snap.kind == "rocksdb" else Path(snap.path).parent,
                  ignore_errors=True)


def _raise_for(message: tuple[Any, ...]) -> None:
    """The typed error for a worker's refusal or failure."""
    if message[0] == "refused":
        raise QueryRefused(message[1])
    if message[0] == "unavailable":
        raise Unavailable(message[1])
    raise QueryError(("SPARQL syntax error: " if message[0] == "syntax" else "") + message[1])


class WorkerPool:
    def __init__(self, store: Store, *, size: int, timeout: float,
                 workdir: Path | None = None, isolate: bool = True,
                 memory_mb: int = 0, per_client: int = 0) -> None:
        self.store = store
        self.per_client = per_client
        self._clients: dict[str, _ClientSlots] = {}
        #: A remote store: workers forward checked queries to it (api/sparql/forward.py)
        #: and so keep the network; there is no snapshot, only the store's URL.
        self.remote = isinstance(store, SparqlHttpStore)
        self.isolate = isolate and not self.remote
        self.memory_mb = memory_mb
        self.size = max(1, size)
        self.timeout = timeout
        self._workdir_parent = workdir
        self._workdir: Path | None = None  # made on start(): an app never started leaves none
        self._snapshots: list[Snapshot] = []
        self._idle: list[_Worker] = []
        self._slots: asyncio.Semaphore | None = None
        self._snap_lock: asyncio.Lock | None = None
        self._all: set[_Worker] = set()  # idle and busy, so that close() kills them all
        self._background: set[asyncio.Task[None]] = set()
        self.killed = 0  # workers killed on timeout or crash (tests and metrics)

    # -- snapshots -------------------------------------------------------------
    def _take_snapshot(self, version: int, name: str = "v") -> Snapshot:
        """A copy of the store as it is now: a RocksDB checkpoint (hard links, so cheap),
        or an N-Quads dump for a store in memory."""
        if self.remote:  # the live store, read by one request per query (no copy)
            return Snapshot(0, "remote", self.store.location, timeout=self.timeout)
        raw: ox.Store = getattr(self.store, "raw")  # noqa: B009 (not part of Store)
        assert self._workdir is not None
        target = self._workdir / f"{name}{version}-{time.monotonic_ns()}"
        if self.store.location != ":memory:":
            raw.flush()
            raw.backup(str(target))
            return Snapshot(version, "rocksdb", str(target))
        target.mkdir()
        path = target / "data.nq"
        raw.dump(str(path), format=ox.RdfFormat.N_QUADS)
        return Snapshot(version, "nquads", str(path))

    async def snapshot(self) -> Snapshot:
        """The snapshot of the store's current version, taken now if needed."""
        assert self._snap_lock is not None
        if self.remote:  # one "snapshot" for the pool's life: no worker is ever stale
            if not self._snapshots:
                self._snapshots.append(self._take_snapshot(0))
            return self._snapshots[0]
        version = self.store.version
        if self._snapshots and self._snapshots[-1].version == version:
            return self._snapshots[-1]
        async with self._snap_lock:
            if self._snapshots and self._snapshots[-1].version == self.store.version:
                return self._snapshots[-1]
            snap = await asyncio.to_thread(self._take_snapshot, self.store.version)
            self._snapshots.append(snap)
            # Keep the previous snapshot: a worker may still be finishing a query on it.
            for old in self._snapshots[:-2]:
                _remove_snapshot(old)
            self._snapshots = self._snapshots[-2:]
            return snap

    # -- workers ---------------------------------------------------------------
    async def _start_process(self) -> asyncio.subprocess.Process:
        flags = [] if self.isolate else ["--no-isolation"]
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.sparql.worker", *flags,
            f"--memory-mb={self.memory_mb}",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=_LIMIT)

    async def _spawn(self, snap: Snapshot) -> _Worker:
        w = _Worker(await self._start_process(), snap.version)
        self._all = {x for x in self._all if x.alive}
        self._all.add(w)
        w.ready = asyncio.get_running_loop().create_task(self._handshake(w, snap))
        return w

    async def _handshake(self, w: _Worker, snap: Snapshot) -> None:
        try:
            await w.send(snap)
            message = await asyncio.wait_for(w.recv(), READY_TIMEOUT)
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError) as exc:
            await w.kill()
            raise QueryError(f"query worker failed to start: {exc!r}") from None
        if message[0] != "ready":
            await w.kill()
            raise QueryError(f"query worker failed to start: {message!r}")

    async def start(self) -> None:
        """Take the first snapshot and start every worker (they open it in parallel)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
            self._snap_lock = asyncio.Lock()
            clean_stale_snapshots(Path(self._workdir_parent or tempfile.gettempdir()))
            self._workdir = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-",
                                                  dir=self._workdir_parent))
            # Also removed if the pool is dropped without aclose() (e.g. a killed loop).
            weakref.finalize(self, shutil.rmtree, self._workdir, True)
        snap = await self.snapshot()
        while len(self._idle) < self.size:
            self._idle.append(await self._spawn(snap))
        # Serve only once the workers are ready (each imports the query checker's parser),
        # so that a first query's time limit is not spent waiting for one.
        ready = [w.ready for w in self._idle if w.ready is not None]
        await asyncio.gather(*ready, return_exceptions=True)

    async def _acquire(self, snap: Snapshot) -> _Worker:
        w = self._idle.pop() if self._idle else await self._spawn(snap)
        if w.version != snap.version or not w.alive:
            await w.kill()
            w = await self._spawn(snap)
        assert w.ready is not None
        try:
            await w.ready
        except QueryError:
            w = await self._spawn(snap)
            assert w.ready is not None
            await w.ready
        return w

    async def run(self, task: Task, client: str | None = None) -> Result:
        """Run ``task`` in a worker within the time limit.

        A client (an address) runs at most ``per_client`` queries at once: its further
        queries wait behind its own, not in the common queue, so a client with many
        threads cannot keep every worker busy while others wait (it gets 503 first).
        """
        if client is None or self.per_client <= 0:
            return await self._run(task, self.timeout)
        deadline = asyncio.get_running_loop().time() + self.timeout
        own = self._clients.get(client)
        if own is None:
            own = self._clients[client] = _ClientSlots(asyncio.Semaphore(self.per_client))
        own.users += 1
        try:
            await _wait_for_slot(own.slots, self.timeout, "your earlier queries are still "
                                 "running; retry once they have finished")
            try:
                left = deadline - asyncio.get_running_loop().time()
                return await self._run(task, max(left, 0.0))
            finally:
                own.slots.release()
        finally:
            own.users -= 1
            if own.users == 0:
                self._clients.pop(client, None)

    async def _run(self, task: Task, wait: float) -> Result:
        if self._slots is None:
            await self.start()
        assert self._slots is not None
        await _wait_for_slot(self._slots, wait, "all query workers are busy; retry shortly")
        try:
            snap = await self.snapshot()
            w = await self._acquire(snap)
            started = time.perf_counter()
            # A timer kills the worker at the limit; the read below then fails. (Cheaper
            # per query than wrapping the read in asyncio.wait_for.)
            expired: list[bool] = []

            def expire() -> None:
                expired.append(True)
                w.process.kill()

            timer = asyncio.get_running_loop().call_later(self.timeout, expire)
            try:
                await w.send(task)
                message = await w.recv()
            except (EOFError, OSError, asyncio.IncompleteReadError):
                await self._replace(w, snap)
                if expired:
                    raise QueryTimeout(f"query stopped after the {self.timeout:g} s time "
                                       "limit (its worker process was killed)") from None
                raise QueryError("the query engine stopped on this query (its worker "
                                 "process crashed); it was not run to completion") from None
            except asyncio.CancelledError:
                # The request went away (client disconnected, server stopping): its answer
                # will never be read, so its work must not go on either.
                self.killed += 1
                w.process.kill()
                self._in_background(self._respawn(snap))
                raise
            finally:
                timer.cancel()
            self._idle.append(w)
            elapsed = time.perf_counter() - started
            if message[0] == "ok":
                return Result(message[1], message[2], elapsed)
            _raise_for(message)
            raise AssertionError("unreachable")
        finally:
            self._slots.release()

    def _in_background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _respawn(self, snap: Snapshot) -> None:
        self._idle.insert(0, await self._spawn(snap))

    async def _replace(self, w: _Worker, snap: Snapshot) -> None:
        self.killed += 1
        await w.kill()
        self._idle.insert(0, await self._spawn(snap))

    async def check_update(self, text: str) -> None:
        """Check an update in a throw-away worker process, then rehearse it there on a
        private copy of the store under the time limit.

        The parser can crash on hostile input, and the engine offers no way to stop or
        undo an update once it runs: so an update first runs, in full, on a copy that
        nothing else reads, in a process that is killed at the limit (nothing happened to
        the store). Only an update whose rehearsal finished within the limit is then run
        on the store. Neither step holds the store's write lock, so other writes go on.
        """
        assert self._workdir is not None, "start() the pool first"
        if self.remote:
            raise MissingFeature(REMOTE_UPDATES)
        copy = await asyncio.to_thread(self._take_snapshot, self.store.version, "rehearsal-")
        w = _Worker(await self._start_process(), -1)
        try:
            await w.send(("rehearse", text, copy))
            # The worker says when it starts on the text: its start-up (imports) and the
            # opening of the copy are not part of the update's time limit.
            await asyncio.wait_for(w.recv(), READY_TIMEOUT)
            message = await asyncio.wait_for(w.recv(), self.timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"the update ran past the {self.timeout:g} s limit on a copy of the store; "
                "it was stopped there and not run: nothing was changed") from None
        except (EOFError, OSError, asyncio.IncompleteReadError):
            raise QueryError("the update crashed its checking process; it was not run"
                             ) from None
        finally:
            await w.kill()
            await asyncio.to_thread(_remove_snapshot, copy)
        if message[0] != "ok":
            _raise_for(message)

    def pids(self) -> list[int]:
        """Process ids of the idle workers (tests check that killed ones are gone)."""
        return [w.process.pid for w in self._idle]

    async def aclose(self) -> None:
        workers, self._idle, self._all = list(self._all), [], set()
        for w in workers:
            with contextlib.suppress(ProcessLookupError):
                w.process.kill()
        for w in workers:
            await w.kill()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._workdir = None
        # Ready to start again (an app's lifespan may run more than once).
        self._snapshots, self._slots, self._snap_lock = [], None, None
