"""The Spark scorer :func:`graph.exposure.engine.ranking` calls with ``--engine spark``.

The engine keeps everything around the product (candidates, groups, filters, the JSON):
only the product itself changes engine, so both engines print the same ranking. Spark
returns, per organisation and contribution, a count and the first target
(:func:`graph.spark.layers.contributions`: one row per organisation and distinct
contribution, small whatever the graph's size); the total is then summed here, on the
driver, in the order :meth:`graph.exposure.rank.Score.total` sums (highest term
first). Spark's own ``sum`` adds in partition order, and a float sum in another order
can differ in the last bit: the scores must be the same floats, not nearly.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from graph.exposure.engine import Scorer
from graph.exposure.paths import Ctx
from graph.exposure.rank import Score, Start
from graph.spark.session import spark_session

#: Folder for the Parquet tables and checkpoints (default: the system's temp folder).
#: On a cluster it must be a path every executor can read and write (NFS, ...).
WORK_DIR_VAR = "SURVKG_SPARK_DIR"
#: Hops out of a node that make it a hub whose join is salted (default
#: :data:`graph.spark.layers.HOT`).
HUB_VAR = "SURVKG_SPARK_HUB"

log = logging.getLogger(__name__)


def spark_scorer(master: str | None = None, work_dir: str | None = None,
                 hot: int | None = None, salt: int | None = None) -> Scorer:
    """A scorer running the product on Spark (``master`` None: the active session, or
    ``local[2]``); ``hot``/``salt`` override the hub salting (:mod:`graph.spark.layers`)."""

    def score(ctx: Ctx, groups: dict[str, list[Start]]) -> tuple[dict[str, Score], list[str]]:
        from graph.spark.export import export
        from graph.spark.layers import HOT, SALT, best_values, contributions
        t0 = time.perf_counter()
        spark = spark_session(master)
        t1 = time.perf_counter()
        base = work_dir or os.environ.get(WORK_DIR_VAR) or None
        with tempfile.TemporaryDirectory(dir=base, prefix="survkg-spark-") as tmp:
            ex = export(ctx, groups, Path(tmp))
            t2 = time.perf_counter()
            hub = hot or int(os.environ.get(HUB_VAR) or HOT)
            best = best_values(spark, ex, ctx.rf.max_hops, hub, salt or SALT)
            rows = contributions(spark, ex, best).collect()
        t3 = time.perf_counter()
        log.info("spark ranking: session %.2f s, export %.2f s (%d hops, %d units), "
                 "product %.2f s", t1 - t0, t2 - t1, ex.hops, ex.units, t3 - t2,
                 extra={"timings": {"session_s": round(t1 - t0, 2),
                                    "export_s": round(t2 - t1, 2),
                                    "product_s": round(t3 - t2, 2),
                                    "hops": ex.hops, "units": ex.units}})
        tids = sorted(ctx.targets)
        index = {t: i for i, t in enumerate(tids)}
        parts: dict[str, dict[float, int]] = {}
        top: dict[str, tuple[float, int]] = {}
        for row in rows:
            org, c = ex.iris[row["org"]], float(row["c"])
            parts.setdefault(org, {})[c] = int(row["n"])
            if org not in top or c > top[org][0]:
                top[org] = (c, int(row["first"]))
        out = {org: Score(p, index[ex.iris[top[org][1]]]) for org, p in parts.items()}
        return out, tids

    return score
