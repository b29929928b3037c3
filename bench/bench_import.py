"""Import benchmark: survkg's import pipeline against the alternatives, side by side.

For each size, N synthetic findings (a new company, a press source and a supply to an
existing Chinese police bureau, about 20 triples each) are written once as Turtle (and
as CSV findings), then, each in a fresh copy of the same seeded on-disk store:

* ``survkg import (Turtle)``: the whole pipeline (screening, parsing, checks, entity
  resolution, SHACL with the store as context, the commit with provenance, audit log),
  with the time of each phase from the progress callback;
* ``survkg validation alone``: the compiled shapes (graph/shacl/) on the parsed quads,
  the seeded store as context;
* ``pySHACL alone``: the same call with ``validator="pyshacl"`` (skipped above
  ``--pyshacl-max`` findings: it takes minutes);
* ``pyoxigraph load, no checks``: ``Store.load`` of the Turtle into a named graph on
  disk, one transaction (skipped above ``--load-max`` findings: it holds the
  transaction in memory);
* ``pyoxigraph bulk load, no checks``: ``Store.bulk_load`` of the same: the floor (the
  pipeline commits through the bulk loader from 10,000 quads).

``--all`` adds the CSV import, the import without SHACL, an import into a store already
holding a similar batch (near-miss names for entity resolution), and rdflib + pySHACL on
the file alone.

Each run is a fresh subprocess so that peak RSS is its own. Usage::

    python -m bench.bench_import --sizes 2500 25000 250000 --pyshacl-max 2500 \\
        --out bench/results/import
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TECH = "https://w3id.org/survkg/id/technology/network-cameras"
TARGETS = ["org/shanghai-psb", "org/lingchuan-psb"]
PREFIXES = ("@prefix skg: <https://w3id.org/survkg/ontology#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            "@prefix ex: <https://example.org/bench/> .\n")


def turtle(n: int, start: int = 0) -> str:
    out = [PREFIXES]
    for i in range(start, start + n):
        target = "https://w3id.org/survkg/id/" + TARGETS[i % 2]
        out.append(
            f'ex:c{i} a skg:Company ; rdfs:label "Benchco {i:07d} Optics" .\n'
            f'ex:s{i} a skg:PressArticle ; rdfs:label "Report {i}" ; dcterms:title "Report {i}" ;'
            f' dcterms:publisher "Bench Press" ;'
            f' skg:url "https://example.org/r/{i}"^^xsd:anyURI .\n'
            f'ex:p{i} a skg:Product ; rdfs:label "Camera {i}" ; skg:maker ex:c{i} .\n'
            f'ex:x{i} a skg:Supply ; rdfs:label "Benchco {i} cameras" ; skg:supplier ex:c{i} ;'
            f' skg:recipient <{target}> ; skg:product ex:p{i} ; skg:technology <{TECH}> ;'
            f' skg:date "2020"^^xsd:gYear ; skg:evidence ex:s{i} ;'
            f' skg:confidence skg:ReportedByPress ; skg:status skg:Reported .\n')
    return "".join(out)


def csv_rows(n: int) -> str:
    head = ("supplier,recipient,product,technology,date,source title,source URL,confidence,"
            "status,note,source publisher\n")
    rows = [f"Benchco {i:07d} Optics,{TARGETS[i % 2]},Camera {i},network cameras,2020,"
            f"Report {i},https://example.org/r/{i},reported by press,reported,,Bench Press\n"
            for i in range(n)]
    return head + "".join(rows)


CHILD = r'''
import json, resource, sys, time
from pathlib import Path
engine, data, store_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
out = {}
if engine.startswith("survkg"):
    from graph.loading import open_store
    from graph.imports import kinds
    from graph.imports.pipeline import import_data
    from graph.audit import open_audit
    store = open_store(store_dir)
    audit = open_audit(store)
    phases, last = {}, [None, time.perf_counter()]
    def progress(phase, fraction):
        now = time.perf_counter()
        if last[0] is not None:
            phases[last[0]] = phases.get(last[0], 0.0) + now - last[1]
        last[0], last[1] = phase, now
    raw = data.read_bytes()
    if engine == "survkg-second":
        # A first batch of n similarly named companies is already in the store: every
        # incoming name is then a near miss that entity resolution must report.
        from bench.bench_import import turtle
        n = int(data.stem.rsplit("-", 1)[1])
        import_data(store, turtle(n, start=10**6).encode(), kind=kinds.KINDS["turtle"],
                    filename="first.ttl", actor="bench", audit=audit, max_bytes=1 << 31)
        phases.clear()
        last[0] = None
    t = time.perf_counter()
    r = import_data(store, raw, kind=kinds.for_filename(data.name), filename=data.name,
                    actor="bench", audit=audit, shacl=engine != "survkg-noshacl",
                    max_bytes=1 << 31, progress=progress)
    out["seconds"] = time.perf_counter() - t
    progress("end", 1.0)
    out["phases"] = {k: round(v, 3) for k, v in phases.items()}
    out["triples"] = r.triples
    store.close()
elif engine.startswith("validate-"):
    # The validator alone, on the parsed file with the seeded store as context (what the
    # pipeline's SHACL step does), for the compiled shapes and for pySHACL.
    import pyoxigraph as ox
    from graph.loading import open_store, parse_bytes
    from graph.validation import validate_quads
    store = open_store(store_dir)
    quads = parse_bytes(data.read_bytes(), ox.RdfFormat.TURTLE,
                        graph=ox.NamedNode("https://example.org/bench"))
    t = time.perf_counter()
    report = validate_quads(quads, context=store, validator=engine.split("-", 1)[1])
    out["seconds"] = time.perf_counter() - t
    out["triples"] = len(quads)
    out["conforms"] = report.conforms
    store.close()
elif engine == "rdflib":
    import rdflib, pyshacl
    from graph.loading import ONTOLOGY_DIR
    t = time.perf_counter()
    g = rdflib.Dataset()
    g.parse(data, format="turtle")
    shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl")
    ont = rdflib.Graph()
    for p in ONTOLOGY_DIR.glob("*.ttl"):
        if p.name != "shapes.ttl":
            ont.parse(p)
    conforms, _, _ = pyshacl.validate(g, shacl_graph=shapes, ont_graph=ont)
    out["seconds"] = time.perf_counter() - t
    out["triples"] = len(g)
    out["conforms"] = bool(conforms)
elif engine in ("pyoxigraph", "pyoxigraph-bulk"):
    import pyoxigraph as ox
    store = ox.Store(str(store_dir))
    t = time.perf_counter()
    (store.load if engine == "pyoxigraph" else store.bulk_load)(
        path=str(data), format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode("https://example.org/bench"))
    store.flush()
    out["seconds"] = time.perf_counter() - t
    out["triples"] = len(store)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
'''


def run(engine: str, data: Path, template: Path | None, work: Path) -> dict[str, Any]:
    store = work / f"store-{engine}-{data.stem}-{data.suffix[1:]}"  # fresh per size
    if template is not None:
        subprocess.run(["cp", "-r", str(template), str(store)], check=True)
    proc = subprocess.run([sys.executable, "-c", CHILD, engine, str(data), str(store)],
                          capture_output=True, text=True, timeout=3600,
                          env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--out", default="bench/results/import")
    ap.add_argument("--pyshacl-max", type=int, default=25_000,
                    help="skip pySHACL above this many findings (it takes minutes)")
    ap.add_argument("--load-max", type=int, default=25_000,
                    help="skip the one-transaction bare load above this many findings")
    ap.add_argument("--all", action="store_true",
                    help="also CSV, no-SHACL, similar-batch and rdflib+pySHACL rows")
    args = ap.parse_args()
    results: dict[str, Any] = {"machine": {"python": platform.python_version(),
                                           "cpus": os.cpu_count(),
                                           "load_start": os.getloadavg()[0]}, "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template"
        subprocess.run([sys.executable, "-c", "import sys; from graph.loading import "
                        "open_store; open_store(sys.argv[1]).close()", str(template)],
                       check=True)
        for n in args.sizes:
            ttl = work / f"findings-{n}.ttl"
            ttl.write_text(turtle(n), encoding="utf-8")
            csv = work / f"findings-{n}.csv"
            csv.write_text(csv_rows(n), encoding="utf-8")
            skipped = {"skipped": f"above {args.pyshacl_max:,} findings (minutes)"}
            row = {
                "survkg import (Turtle)": run("survkg", ttl, template, work),
                "survkg validation alone (compiled shapes, store as context)":
                    run("validate-sparql", ttl, template, work),
                "pySHACL alone (store as context)":
                    run("validate-pyshacl", ttl, template, work)
                    if n <= args.pyshacl_max else skipped,
                "pyoxigraph load, no checks (Turtle)": run("pyoxigraph", ttl, None, work)
                    if n <= args.load_max else {"skipped": f"above {args.load_max:,} findings "
                                                "(one transaction held in memory: ~8 GB)"},
                "pyoxigraph bulk load, no checks (Turtle)":
                    run("pyoxigraph-bulk", ttl, None, work),
            }
            if args.all:
                row.update({
                    "survkg import (CSV)": run("survkg", csv, template, work),
                    "survkg import, no SHACL (Turtle)":
                        run("survkg-noshacl", ttl, template, work),
                    "survkg import (Turtle), a similar batch already stored":
                        run("survkg-second", ttl, template, work),
                    "rdflib parse + pySHACL (Turtle)": run("rdflib", ttl, None, work),
                })
            results["sizes"][n] = row
            print(n, json.dumps(row), flush=True)
            # Written after every size, so a long run interrupted still leaves its results.
            results["machine"]["load_end"] = os.getloadavg()[0]
            Path(args.out + ".json").write_text(json.dumps(results, indent=2),
                                                encoding="utf-8")
            Path(args.out + ".md").write_text(render(results, args), encoding="utf-8")


def render(results: dict[str, Any], args: argparse.Namespace) -> str:
    sizes = list(results["sizes"])  # ints when run, strings when re-read from JSON
    lines = ["# Import benchmark", "",
             f"Command: `python -m bench.bench_import --sizes {' '.join(map(str, args.sizes))}"
             f" --pyshacl-max {args.pyshacl_max} --load-max {args.load_max}"
             f"{' --all' if args.all else ''}`",
             f"Machine: {results['machine']['cpus']} cpu, Python {results['machine']['python']},"
             f" load average {results['machine']['load_start']:.2f} at start, "
             f"{results['machine']['load_end']:.2f} at end.", "",
             "Findings of ~20 triples each (company, source, product, supply to an existing "
             "police bureau). Seconds (peak RSS MB); survkg rows also give the phases.", "",
             "| engine | " + " | ".join(f"{int(n):,} findings" for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for engine in results["sizes"][sizes[0]]:
        cells = []
        for n in sizes:
            r = results["sizes"][n][engine]
            if "error" in r:
                cells.append("error: " + r["error"][:60])
                continue
            if "skipped" in r:
                cells.append("skipped: " + r["skipped"])
                continue
            cell = f"{r['seconds']:.2f} s ({r['peak_rss_mb']:.0f} MB, {r['triples']:,} triples)"
            if r.get("phases"):
                cell += "<br>" + ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items())
            cells.append(cell)
        lines.append(f"| {engine} | " + " | ".join(cells) + " |")
    lines += ["", "Ratios to the bare loads (same run): to the one-transaction load / to the "
              "bulk load (the pipeline commits through the bulk loader from 10,000 quads):", ""]
    bares = ["pyoxigraph load, no checks (Turtle)", "pyoxigraph bulk load, no checks (Turtle)"]
    for n in sizes:
        row = results["sizes"][n]
        b = [row.get(x, {}).get("seconds") for x in bares]
        if not any(b):
            continue
        parts = []
        for engine, r in row.items():
            if engine not in bares and "seconds" in r:
                parts.append(f"{engine} " + " / ".join(
                    f"{r['seconds'] / x:.2f}x" if x else "-" for x in b))
        phases = row["survkg import (Turtle)"].get("phases", {})
        largest = max(phases, key=phases.get) if phases else "-"
        lines.append(f"- {int(n):,} findings: " + "; ".join(parts)
                     + f"; the pipeline's largest phase: {largest}")
    lines += ["", "Notes:", "",
              "- SHACL runs compiled to SPARQL inside pyoxigraph (graph/shacl/); pySHACL, "
              "the reference (`SURVKG_VALIDATOR=pyshacl`), is timed on the same quads "
              "with the same store as context.",
              "- Imports of 10,000 quads or more are committed through the journaled bulk "
              "loader (`Store.bulk_add`), the catalogue entry being the commit.",
              "- The bare loads parse and write only: no screening, checks, resolution, "
              "validation, provenance or audit.",
              f"- pySHACL is skipped above {args.pyshacl_max:,} findings and the "
              f"one-transaction bare load above {args.load_max:,} (`--pyshacl-max`, "
              "`--load-max`).",
              "- The survkg rows run the pipeline in-process (`survkg import`); "
              "`POST /api/import` runs the same steps in a worker process at nice 10 "
              "(bench/results/import-load.md)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
