"""The ranking of every organisation on Apache Spark (``survkg ranking --engine spark``).

The in-process ranking (:mod:`graph.exposure.rank`) holds every organisation's search in
one process; at billions of triples that no longer fits one machine, so the layered
best-path product, the part that grows with organisations x reachable states, runs as
plain DataFrame joins on a Spark cluster (GraphFrames' jars are not reachable here):

* :mod:`.export`: the filtered hop table, the groups' starts and the risk targets written
  once to Parquet, with integer ids through a dictionary table;
* :mod:`.layers`: the pruning distances and the hop-by-hop product, one
  ``groupBy(unit, node[, claim]).max(value)`` and one checkpoint per layer;
* :mod:`.ranking`: the scorer :func:`graph.exposure.engine.ranking` calls, turning the
  per-(organisation, contribution) counts Spark returns into the same score parts as
  the in-process search, so the JSON is identical;
* :mod:`.session`: the SparkSession (``local[2]`` or a ``spark://`` master).

Nothing outside this package imports it, and it imports pyspark only when a Spark
ranking runs, so the CLI starts as fast without pyspark installed.
"""
