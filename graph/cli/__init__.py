"""The ``survkg`` command line.

Commands live in the modules of this package, grouped by what they do (``data``: load,
validate, query, export, info; ``exposure``: the exposure engine; ``imports``: researchers'
writes; ``admin``: tokens, audit, backups). Each module lists its commands in
``COMMANDS``; the group finds them when a command is asked for, so adding a command is
one new module (or one more entry in a module's ``COMMANDS``) and nothing else.

Start-up is kept cheap on purpose (``--version`` and ``--help`` load almost nothing):
command modules import only click and :mod:`graph.cli.common` at the top and import their
heavy modules (the exposure engine, exporters, SHACL) inside the command. Commands that
need the web layer (``serve``) are contributed by the ``api`` package through the
``survkg.commands`` entry-point group, so this core package never imports the web layer;
that plugin is loaded only when it is called (or listed by ``--help``).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import click

from graph.errors import SurvkgError

__all__ = ["cli", "main"]

#: Modules of this package that hold helpers, not commands.
_NOT_COMMANDS = frozenset({"common"})


class SurvkgGroup(click.Group):
    """The top-level group: finds its commands lazily, prints survkg errors as one clear
    line and exits 1 (2 for usage errors, as click does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._found = False
        self._plugins: dict[str, Any] | None = None

    def _find(self) -> None:
        """Import the command modules of this package and add their ``COMMANDS``."""
        if self._found:
            return
        self._found = True
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_") or info.name in _NOT_COMMANDS:
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            for command in getattr(module, "COMMANDS", ()):
                self.add_command(command)

    def _plugin_points(self) -> dict[str, Any]:
        """Entry points of other packages' commands (not loaded yet: loading ``serve``
        imports the whole web application)."""
        if self._plugins is None:
            from importlib.metadata import entry_points
            self._plugins = {ep.name: ep for ep in entry_points(group="survkg.commands")}
        return self._plugins

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._find()
        return sorted(set(self.commands) | set(self._plugin_points()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._find()
        if cmd_name not in self.commands and cmd_name in self._plugin_points():
            self.add_command(self._plugin_points()[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SurvkgError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            for problem in getattr(exc, "problems", ())[:200]:
                click.echo(f"  {problem}", err=True)
            ctx.exit(1)


@click.group(cls=SurvkgGroup)
@click.version_option(package_name="survkg")
def cli() -> None:
    """survkg: an evidence-backed knowledge graph of surveillance-technology supply chains."""


def main() -> None:
    """The console entry point (``survkg = graph.cli:main``)."""
    cli()
