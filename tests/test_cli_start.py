"""The CLI starts cheaply and finds its commands by itself.

``--version`` and ``--help`` must not import the web layer, SHACL, FollowTheMoney or the
graph libraries (bench/bench_cli_start.py measures what that saves); a reading command
imports only what it reads with. Checked in fresh interpreters, by what lands in
``sys.modules``, not by timing. Also: every command module's ``COMMANDS`` is on the
group, and a missing optional extra gives one sentence, not a traceback.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import click
import pytest

import graph.cli

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("SURVKG_STORE", None)
HEAVY = ("fastapi", "starlette", "uvicorn", "api.app", "rdflib", "pyshacl", "followthemoney",
         "sqlalchemy", "networkx", "numpy")


def loaded_after(args: list[str], tmp_path: Path, prelude: str = "") -> list[str]:
    """The heavy modules imported by a ``survkg`` run with ``args`` (in a fresh process)."""
    code = (f"import json, sys\n{prelude}\nfrom graph.cli import cli\n"
            f"try:\n    cli({args!r})\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), "
            "file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], env=ENV, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    loaded: list[str] = json.loads(r.stderr.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["exposure", "--help"]])
def test_version_and_help_load_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    assert loaded_after(args, tmp_path) == []


def test_info_loads_no_web_layer_shacl_or_ftm(tmp_path: Path) -> None:
    store = tmp_path / "store"
    loaded = loaded_after(["info", "--store", str(store)], tmp_path)
    assert not set(loaded) & {"fastapi", "uvicorn", "api.app", "pyshacl", "followthemoney",
                              "sqlalchemy"}, loaded
    assert (store / "CURRENT").is_file()  # it did run (and seeded the store)


def test_every_command_module_is_on_the_group() -> None:
    """Adding a command is one module with ``COMMANDS``: the group finds it."""
    ctx = click.Context(graph.cli.cli)
    listed = set(graph.cli.cli.list_commands(ctx))
    found = 0
    for info in pkgutil.iter_modules(graph.cli.__path__):
        module = import_module(f"graph.cli.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            assert command.name in listed
            assert graph.cli.cli.get_command(ctx, command.name) is command
            found += 1
    assert found >= 18  # data, exposure, imports and admin commands
    assert "serve" in listed  # the web layer's plugin, listed without being loaded


def test_missing_ftm_extra_is_one_sentence(tmp_path: Path) -> None:
    """Without followthemoney (the optional ``ftm`` extra) an FtM export says what to
    install and exits 1; other exports are unaffected."""
    code = ("import sys\nsys.modules['followthemoney'] = None  # as if not installed\n"
            "from graph.cli import main\nmain()")
    store = str(tmp_path / "store")
    r = subprocess.run([sys.executable, "-c", code, "export", "--format", "ftm", "--store",
                        store], env=ENV, cwd=tmp_path, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "survkg[ftm]" in r.stderr and "libicu-dev" in r.stderr
    ok = subprocess.run([sys.executable, "-c", code, "export", "--format", "nquads",
                         "--store", store], env=ENV, cwd=tmp_path, capture_output=True,
                        timeout=120)
    assert ok.returncode == 0 and ok.stdout.count(b"\n") > 3000
