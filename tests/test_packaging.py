"""A wheel installed anywhere carries the ontology and the seeds, and seeds a new store.

Builds the wheel from a copy of the source tree (``pip wheel``), installs it without
dependencies into a fresh virtual environment that borrows the test environment's
installed packages (a ``.pth`` line, so the editable install of the checkout is *not*
picked up), and runs that environment's ``survkg info`` in a folder outside the tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # a wheel build and a virtual environment: ~30 s


def test_installed_wheel_seeds_a_new_store(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "node_modules", "__pycache__",
        ".*_cache", "tests", "bench", "docs"))
    dist = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "SURVKG_STORE"}}
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q",
                    "-w", str(dist)], env=env, check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("survkg-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
                   env=env, check=True, capture_output=True, timeout=300)
    # Then the dependencies come from this environment (plain path lines: its own .pth
    # files, among them the editable install of the checkout, are not processed; added
    # after the install, or pip would find survkg already installed there).
    Path(purelib, "test-deps.pth").write_text(
        "\n".join({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}) + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = subprocess.run([str(python), "-c", "import graph; print(graph.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    where = found.stdout.strip()
    assert where.startswith(purelib), f"graph imported from {where}, not the wheel"
    info = subprocess.run([str(env_dir / "bin" / "survkg"), "info", "--store",
                           str(elsewhere / "store")], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    quads = int(info.stdout.splitlines()[1].removeprefix("quads: "))
    assert quads > 3000, info.stdout  # the ontology and the seeds
    assert "https://w3id.org/survkg/graph/seeds" in info.stdout
