"""Start and stop SPARQL servers of one's own: ``virtuoso-t`` and ``oxigraph serve``.

Used by the Virtuoso conformance tests (``tests/test_virtuoso.py``) and by the
store-servers bench (``bench/bench_store_servers.py``): each server gets a temp folder,
free loopback ports and, for Virtuoso, a generated ``virtuoso.ini`` and a random ``dba``
password (a new Virtuoso database's password is ``dba``; it is replaced at once with
``isql-vt``, as any deployment must). Nothing here listens beyond 127.0.0.1.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


class ServerError(RuntimeError):
    """A server binary is missing, did not start, or refused an admin command."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tool(name: str) -> str:
    """The path of a server binary (``oxigraph`` beside the venv's Python first)."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        hint = ("`pip install oxigraph` (make install)" if name == "oxigraph"
                else "`make virtuoso` installs Debian's virtuoso-opensource")
        raise ServerError(f"{name} is missing: {hint}")
    return found


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float,
                  log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait(10)
                tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
                raise ServerError(f"the server did not answer at {url}: {tail}") from None
            time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Virtuoso: a quick shutdown; Oxigraph: exit), then kill if it hangs."""
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, *, dirs_allowed: str = ".",
                 buffers: int = 10_000, max_rows: int = 50_000) -> Path:
    """A minimal ``virtuoso.ini``: database files in ``folder``, loopback ports only.

    ``buffers`` are 8 KB pages of cache (Virtuoso's guide: about two thirds of the memory
    it may use); ``max_rows`` is ``[SPARQL] ResultSetMaxRows``, where Virtuoso silently
    cuts a result (survkg refuses such an answer).
    """
    ini = folder / "virtuoso.ini"
    db = folder / "virtuoso"
    ini.write_text(f"""[Database]
DatabaseFile = {db}.db
ErrorLogFile = {db}.log
LockFile = {db}.lck
TransactionFile = {db}.trx
xa_persistent_file = {db}.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}-temp.db
TransactionFile = {db}-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {dirs_allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
CheckpointInterval = 60
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 4
MaxClientConnections = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 600
""", encoding="utf-8")
    return ini


class Virtuoso:
    """A running ``virtuoso-t`` of one's own (foreground, own database folder)."""

    def __init__(self, folder: Path, *, dirs_allowed: str = ".", buffers: int = 10_000,
                 max_rows: int = 50_000) -> None:
        self.folder = folder
        self.sql_port, self.http_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.password = "pw" + secrets.token_hex(8)   # an SQL name: no leading digit
        ini = virtuoso_ini(folder, self.sql_port, self.http_port, dirs_allowed=dirs_allowed,
                           buffers=buffers, max_rows=max_rows)
        self.proc = subprocess.Popen([tool("virtuoso-t"), "+configfile", str(ini),
                                      "+foreground"], cwd=folder,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(self.base + "/sparql?query=ASK%7B%7D", self.proc, 90,
                          folder / "virtuoso.log")
            self.isql(f"SET PASSWORD dba {self.password};", password="dba")
        except BaseException:
            stop(self.proc)   # never leave a server behind
            raise

    @property
    def credentials(self) -> str:
        return f"dba:{self.password}"

    def isql(self, sql: str, *, password: str | None = None, timeout: float = 7200) -> str:
        """One SQL script through ``isql-vt``; raises on an error."""
        out = subprocess.run([tool("isql-vt"), f"127.0.0.1:{self.sql_port}", "dba",
                              password or self.password, f"exec={sql}"],
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0 or "*** Error" in out.stdout + out.stderr:
            raise ServerError(f"isql-vt failed: {out.stdout}{out.stderr}")
        return out.stdout

    def stop(self) -> None:
        stop(self.proc)


class OxigraphServer:
    """A running ``oxigraph serve`` on a folder of one's own."""

    def __init__(self, location: Path) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([tool("oxigraph"), "serve", "--location", str(location),
                                      "--bind", f"127.0.0.1:{port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(self.base + "/query?query=ASK%7B%7D", self.proc, 120)

    def stop(self) -> None:
        stop(self.proc)
