"""``survkg ranking --engine spark`` prints exactly what ``survkg ranking`` prints.

Both commands run through the CLI on the same on-disk store and their JSON is compared
as text: the same organisations, in the same order, with the same floats. One Spark
session (``local[2]``) serves the whole module (a JVM start costs seconds); the Spark
engine reuses the active session. The stores: the seeds, and a generated graph of
100,000 triples (resellers, intermediaries, programmes, dated ownership), with the
default filters and with a couple of filters. The standalone-cluster test starts a
master and a worker with ``spark-class`` from the pyspark wheel on loopback ports and
runs the CLI against ``spark://127.0.0.1:PORT`` in a process of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime (make java installs OpenJDK 17)", allow_module_level=True)

from graph.cli import cli
from graph.loading import load_files, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from graph.spark.session import spark_session
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeds") / "store"
    open_store(path).close()
    return path


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import write
    tmp = tmp_path_factory.mktemp("generated")
    nt = tmp / "generated-100k.nt"
    write(nt, 100_000, seed=5)
    store = open_store(tmp / "store")
    load_files(store, [nt], validate="syntax")
    store.close()
    return tmp / "store"


def _ranking(store: Path, *args: str) -> str:
    out = CliRunner().invoke(cli, ["ranking", "--format", "json", "--store", str(store),
                                   *args])
    assert out.exit_code == 0, out.output
    return out.output


def _same(store: Path, *args: str) -> dict[str, Any]:
    plain = _ranking(store, *args)
    assert _ranking(store, "--engine", "spark", *args) == plain
    got: dict[str, Any] = json.loads(plain)
    return got


def test_seed_ranking_on_spark_is_the_in_process_ranking(spark: Any, seeds_dir: Path
                                                         ) -> None:
    got = _same(seeds_dir)
    assert got["entries"], "the seeds rank organisations by default"


def test_generated_ranking_on_spark_is_the_in_process_ranking(spark: Any,
                                                              generated_dir: Path) -> None:
    got = _same(generated_dir)
    entries = got["entries"]
    assert len(entries) > 100
    assert any(e["targets"] > 1 for e in entries)
    # Groups with several members and paths of several claims make the scores differ.
    assert len({e["score"] for e in entries}) > 20


@pytest.mark.parametrize(("args", "hub"), [
    (("--max-hops", "6", "--include-unverified"), None),
    # Every node with two hops or more is a hub here: the salted join changes no score
    # (the default threshold is too high for a graph this small to exercise it).
    (("--as-of", "2018", "--min-confidence", "0.7", "--max-hops", "3"), "2"),
])
def test_filtered_ranking_on_spark_is_the_in_process_ranking(
        spark: Any, generated_dir: Path, args: tuple[str, ...], hub: str | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if hub:
        monkeypatch.setenv("SURVKG_SPARK_HUB", hub)
    got = _same(generated_dir, *args)
    assert got["entries"]


def test_master_without_spark_engine_is_refused(seeds_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["ranking", "--store", str(seeds_dir),
                                   "--master", "spark://127.0.0.1:1"])
    assert out.exit_code == 2
    assert "--master needs --engine spark" in out.output


def test_the_cli_does_not_import_pyspark() -> None:
    """pyspark (and pyarrow) load only when a Spark ranking runs: the CLI starts fast."""
    code = ("import sys; from graph.cli import cli; from click.testing import CliRunner; "
            "CliRunner().invoke(cli, ['ranking', '--help']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'pyarrow')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ standalone cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90
               ) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"nothing listens on {port}: " + log.read_text(errors="replace")[-2000:])


def _wait_worker(ui_port: int, timeout: float = 90) -> None:
    """Until the master's status page lists one live worker."""
    import httpx
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            status = httpx.get(f"http://127.0.0.1:{ui_port}/json/", timeout=5).json()
            if status.get("aliveworkers", 0) >= 1:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError("the worker never registered with the master")


@pytest.mark.slow
def test_ranking_on_a_loopback_standalone_cluster(seeds_dir: Path, tmp_path: Path) -> None:
    import pyspark
    home = Path(pyspark.__file__).parent
    spark_class = home / "bin" / "spark-class"
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_LOG_DIR": str(tmp_path), "SPARK_WORKER_DIR": str(tmp_path / "work")}
    port, ui, wui = _free_port(), _free_port(), _free_port()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        master_log = tmp_path / "master.log"
        with master_log.open("wb") as out:
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.master.Master", "--host",
                 "127.0.0.1", "--port", str(port), "--webui-port", str(ui)],
                env=env, stdout=out, stderr=subprocess.STDOUT))
        _wait_port(port, procs[0], master_log)
        worker_log = tmp_path / "worker.log"
        with worker_log.open("wb") as out:
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.worker.Worker",
                 f"spark://127.0.0.1:{port}", "--host", "127.0.0.1", "--cores", "2",
                 "--memory", "1g", "--webui-port", str(wui)],
                env=env, stdout=out, stderr=subprocess.STDOUT))
        _wait_worker(ui)
        cmd = [sys.executable, "-c", "from graph.cli import main; main()", "ranking",
               "--format", "json", "--store", str(seeds_dir)]
        run_env = {**env, "PYTHONPATH": str(ROOT)}
        plain = subprocess.run(cmd, env=run_env, capture_output=True, check=True, cwd=ROOT)
        on_cluster = subprocess.run(
            [*cmd, "--engine", "spark", "--master", f"spark://127.0.0.1:{port}"],
            env=run_env, capture_output=True, cwd=ROOT, timeout=240)
        assert on_cluster.returncode == 0, on_cluster.stderr.decode(errors="replace")[-3000:]
        assert on_cluster.stdout == plain.stdout
        assert json.loads(plain.stdout)["entries"]
        # The work ran on the cluster: the worker started an executor for it.
        assert list((tmp_path / "work").glob("app-*/*/stderr"))
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

