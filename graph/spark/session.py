"""The SparkSession a ranking runs in.

``local[2]`` by default (the driver's own JVM, two cores), or any master URL Spark
accepts, e.g. ``spark://host:7077`` for a standalone cluster started with
``spark-class`` from the same pyspark wheel (docs/spark.md). An active session (a test's,
or a notebook's) is reused, so a caller can configure Spark its own way.

Shuffles in ``local[n]`` default to ``n`` partitions: the ranking's tables are narrow (a
few ints and a double per row) and Spark's default of 200 partitions makes each of the
ranking's two dozen shuffles pay for hundreds of tiny tasks on two cores (measured on
the seeds, warm: 11 s with 2 partitions, 22 s with 4, on a loaded machine). On a
cluster Spark's own default stands, and adaptive execution coalesces small partitions.
``SURVKG_SPARK_PARTITIONS`` overrides both.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from graph.errors import SurvkgError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Master when none is given.
LOCAL = "local[2]"


def _partitions(master: str) -> str:
    given = os.environ.get("SURVKG_SPARK_PARTITIONS")
    if given:
        return given
    m = re.fullmatch(r"local\[(\d+|\*)(?:,\d+)?\]|local", master)
    if m is None:
        return "200"
    n = m.group(1)
    return str(os.cpu_count() or 2) if n in (None, "*") else n


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
    master = master or LOCAL
    builder = (SparkSession.builder.master(master).appName("survkg-ranking")
               .config("spark.sql.shuffle.partitions", _partitions(master))
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
