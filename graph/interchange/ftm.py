"""FollowTheMoney (FtM) in and out: the one module the CLI and the API import.

FtM is the entity model of Aleph / OpenAleph and OpenSanctions; survkg reads FtM JSON
lines into claims of its own ontology (:func:`read_ftm`) and writes its graph as FtM
(:func:`write_ftm`). The two directions live in ``ftm_import`` and ``ftm_export``; the
mapping both ways, what does not map and the default grades are in docs/ftm.md.
"""

from __future__ import annotations

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
