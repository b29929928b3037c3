"""SHACL validation at engine speed: ``ontology/shapes.ttl`` compiled to SPARQL SELECT
queries that run inside pyoxigraph (see :mod:`graph.shacl.engine`).

pySHACL, the reference, takes ~15 s on 50k triples; the same shapes compiled to SPARQL
take well under a second (bench/results/import.md). ``SURVKG_VALIDATOR=pyshacl`` runs
pySHACL instead, and tests/test_shacl_compiled.py checks that both report the same
violations (focus node, path, constraint) on the seeds and on mutated files.
"""
