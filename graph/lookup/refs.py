"""The one reference type: what every result says about a resource it mentions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ref:
    """A reference to a resource: enough to link it (``id``, ``iri``) and name it
    (``label``, by :func:`graph.lookup.pick_label`). ``types`` are class IRIs in entity
    descriptions and skg: local names in exposure results and search hits (their JSON
    fields predate this type and are kept)."""

    id: str
    iri: str
    label: str
    types: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
