"""Loading RDF into the store: parsed, validated, then committed in one transaction.

Every entry point (CLI ``load``, first-use seeding, the web layer, tests) calls
:func:`load_files`, so there is one place that guarantees the all-or-nothing rule: a
file with a syntax error on its last line is refused with its file, line and column,
and nothing of it (or of the other files of the same call) reaches the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import formats
from graph.errors import InvalidData
from graph.namespaces import GRAPH, ONTOLOGY_GRAPH, SEEDS_GRAPH
from graph.store import OxigraphStore, Store, default_store_path
from graph.validation import ValidationReport, validate_quads

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
SEEDS_DIR = ROOT / "seeds"

#: Above this many triples a load is syntax-checked and transactional but SHACL runs only
#: with ``validate="full"`` (pySHACL needs ~38 s per million triples; run ``survkg validate``).
SHACL_AUTO_LIMIT = 200_000

_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)

Progress = Callable[[int], None]


@dataclass
class LoadReport:
    """What a load did."""

    files: list[str]
    triples: int
    graph: str
    validation: ValidationReport | None = None
    shacl_skipped: bool = False
    notes: list[str] = field(default_factory=list)


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, shapes excluded (they constrain data, they are not data)."""
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != "shapes.ttl")


def seed_files() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.ttl"))


def parse_file(path: Path, fmt: ox.RdfFormat | None = None,
               graph: ox.NamedNode | ox.DefaultGraph | None = None,
               progress: Progress | None = None) -> list[ox.Quad]:
    """Parse a whole file into quads, or raise :class:`InvalidData` with its location.

    RDF/XML with a DOCTYPE or ENTITY declaration is refused before parsing: entity
    expansion ("billion laughs") aborts or hangs the parsers.
    """
    fmt = fmt or formats.for_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidData(f"cannot read file: {exc.strerror}", file=str(path)) from exc
    return parse_bytes(data, fmt, name=str(path), graph=graph, progress=progress)


def parse_bytes(data: bytes, fmt: ox.RdfFormat, *, name: str = "<input>",
                graph: ox.NamedNode | ox.DefaultGraph | None = None,
                base_iri: str | None = None,
                progress: Progress | None = None) -> list[ox.Quad]:
    """Parse RDF bytes into quads (in ``graph`` when the format has no graphs)."""
    if fmt == ox.RdfFormat.RDF_XML and (m := _DOCTYPE.search(data)) is not None:
        line = data.count(b"\n", 0, m.start()) + 1
        raise InvalidData("RDF/XML with DOCTYPE or ENTITY declarations is refused "
                          "(entity expansion)", file=name, line=line)
    quads: list[ox.Quad] = []
    try:
        parser = ox.parse(data, format=fmt, base_iri=base_iri, rename_blank_nodes=True)
        move = graph is not None and not isinstance(graph, ox.DefaultGraph)
        for i, quad in enumerate(parser):
            if move and isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, graph)
            quads.append(quad)
            if progress is not None and i % 50_000 == 0:
                progress(len(quads))
    except SyntaxError as exc:
        raise InvalidData(str(exc.msg), file=name, line=exc.lineno, column=exc.offset) from exc
    except ValueError as exc:
        raise InvalidData(str(exc), file=name) from exc
    return quads


def graph_for(name: str) -> ox.NamedNode:
    """The named graph user data goes to when the caller names none: one per source name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "data"
    return ox.NamedNode(GRAPH + "user/" + safe)


def load_files(store: Store, paths: Sequence[Path], *, graph: ox.NamedNode | None = None,
               validate: str = "auto", progress: Progress | None = None) -> LoadReport:
    """Parse, validate and commit ``paths`` into ``graph`` in one transaction.

    ``validate``: ``"auto"`` runs SHACL up to :data:`SHACL_AUTO_LIMIT` triples, ``"full"``
    always, ``"syntax"`` never. Raises :class:`InvalidData` (store untouched) on any problem.
    """
    if validate not in {"auto", "full", "syntax"}:
        raise ValueError(f"validate must be auto, full or syntax, not {validate!r}")
    target = graph if graph is not None else graph_for(paths[0].stem if paths else "data")
    quads: list[ox.Quad] = []
    for path in paths:
        quads.extend(parse_file(path, graph=target, progress=progress))
    report = LoadReport(files=[str(p) for p in paths], triples=len(quads), graph=target.value)
    if validate == "full" or (validate == "auto" and len(quads) <= SHACL_AUTO_LIMIT):
        report.validation = validate_quads(quads, context=store)
        if not report.validation.conforms:
            raise InvalidData(
                f"{len(report.validation.violations)} SHACL violation(s)",
                file=", ".join(report.files), problems=report.validation.violations)
    else:
        report.shacl_skipped = True
        report.notes.append(f"SHACL skipped above {SHACL_AUTO_LIMIT} triples; "
                            "run `survkg validate` on the files")
    store.extend(quads)
    return report


def load_bundled(store: Store) -> None:
    """Load the ontology and the seeds into their named graphs, in one transaction.

    One transaction, so a store killed while seeding has either both or neither, and the
    next :func:`open_store` seeds it again.
    """
    quads = [q for p in ontology_files() for q in parse_file(p, graph=ONTOLOGY_GRAPH)]
    quads += [q for p in seed_files() for q in parse_file(p, graph=SEEDS_GRAPH)]
    store.extend(quads)


def open_store(path: Path | str | None = None, *, seed: bool = True,
               memory: bool = False) -> OxigraphStore:
    """Open (or create) the store; on first use, load the ontology and the seeds.

    The one function every entry point uses. ``path=None`` means ``$SURVKG_STORE`` or the
    per-user default; ``memory=True`` gives a throw-away in-memory store (tests, benchmarks).
    """
    if memory:
        store = OxigraphStore(None)
    else:
        store = OxigraphStore(Path(path) if path is not None else default_store_path())
    if seed and ONTOLOGY_GRAPH not in store.named_graphs():
        load_bundled(store)
    return store
