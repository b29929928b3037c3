"""Where the ontology and the seed graph that ship with survkg are.

They are data, kept in the top-level ``ontology/`` and ``seeds/`` folders of the source
tree. ``graph/_data/ontology`` and ``graph/_data/seeds`` are symbolic links to them, and
the wheel's package data copies the files through those links (pyproject.toml), so the
same paths inside the package work in a source checkout, in an editable install and in
a wheel installed anywhere: a new store is seeded wherever survkg runs.

This module only names paths (no parsing), so loading and validation can both use it
without importing each other.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "_data"
ONTOLOGY_DIR = DATA_DIR / "ontology"
SEEDS_DIR = DATA_DIR / "seeds"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
QUERIES_DIR = ONTOLOGY_DIR / "queries"


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, shapes excluded (they constrain data, they are not data)."""
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != "shapes.ttl")


def seed_files() -> list[Path]:
    """The seed graph's Turtle files."""
    return sorted(SEEDS_DIR.glob("*.ttl"))
