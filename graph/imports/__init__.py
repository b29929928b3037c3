"""Imports: a researcher's file becomes a named graph of its own, or nothing at all.

The pipeline (:func:`graph.imports.pipeline.import_data`) screens the raw bytes, parses
or maps them into a scratch list of quads, links incoming organisations and sources to
the ones already in the store, validates, and commits data plus provenance in one
transaction, with the attempt written to the audit log before and after. A refusal
lists every problem found and leaves the store exactly as it was.
"""
