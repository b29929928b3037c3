"""The SparkSession a ranking runs in.

``local[2]`` by default (the driver's own JVM, two cores), or any master URL Spark
accepts, e.g. ``spark://host:7077`` for a standalone cluster started with
``spark-class`` from the same pyspark wheel (docs/spark.md). An active session (a test's,
or a notebook's) is reused, so a caller can configure Spark its own way.

Shuffles default to a few partitions per core: the ranking's tables are narrow (a few
ints and a double per row) and Spark's default of 200 partitions makes each of the
ranking's two dozen shuffles pay for 200 tiny tasks on a small cluster.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graph.errors import SurvkgError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Master when none is given.
LOCAL = "local[2]"


class SparkUnavailable(SurvkgError):
    """pyspark or a Java runtime is missing (``make install`` installs both)."""


def spark_session(master: str | None = None) -> SparkSession:
    """The active session if there is one and no other master is asked for, else a new
    one on ``master`` (``local[2]`` when None)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install "
                               "'survkg[spark]' (make install does)") from exc
    active = SparkSession.getActiveSession()
    if active is not None and (master is None or active.sparkContext.master == master):
        return active
    if active is not None:
        active.stop()
    cores = os.cpu_count() or 2
    builder = (SparkSession.builder.master(master or LOCAL).appName("survkg-ranking")
               .config("spark.sql.shuffle.partitions", str(max(4, 2 * cores)))
               .config("spark.ui.enabled", "false")
               .config("spark.sql.adaptive.enabled", "true"))
    memory = os.environ.get("SURVKG_SPARK_DRIVER_MEMORY")
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # py4j raises a bare Exception when no JVM starts
        if "JAVA" in str(exc).upper():
            raise SparkUnavailable(f"Spark could not start a Java runtime: {exc} "
                                   "(install OpenJDK 17: make java)") from exc
        raise
