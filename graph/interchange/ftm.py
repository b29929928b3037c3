"""FollowTheMoney (FtM) in and out: the one module the CLI and the API import.

FtM is the entity model of Aleph / OpenAleph and OpenSanctions; survkg reads FtM JSON
lines into claims of its own ontology (:func:`read_ftm`) and writes its graph as FtM
(:func:`write_ftm`). The two directions live in ``ftm_import`` and ``ftm_export``; the
mapping both ways, what does not map and the default grades are in docs/ftm.md.

The ``followthemoney`` library is an optional extra (``survkg[ftm]``); importing this
module without it raises :class:`~graph.errors.MissingFeature` with the command to run.
Everything else imports this module only when FtM is read or written.
"""

from __future__ import annotations

from graph.errors import MissingFeature

try:
    import followthemoney  # noqa: F401  (only to tell whether the extra is installed)
except ImportError as exc:  # the `ftm` extra is optional (pyproject.toml says why)
    raise MissingFeature(
        "FollowTheMoney interchange needs the optional `ftm` extra: pip install "
        "'survkg[ftm]' (or `make install`); it compiles PyICU, which needs Debian's "
        "libicu-dev, pkg-config and a C++ compiler") from exc

from graph.interchange.ftm_export import ftm_entities, write_ftm
from graph.interchange.ftm_import import (
    DEFAULT_CONFIDENCE,
    DEFAULT_STATUS,
    Resolve,
    ftm_id_resolver,
    read_ftm,
)
from graph.interchange.ftm_model import entity_problems

__all__ = ["DEFAULT_CONFIDENCE", "DEFAULT_STATUS", "Resolve", "entity_problems",
           "ftm_entities", "ftm_id_resolver", "read_ftm", "write_ftm"]
