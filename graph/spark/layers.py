"""The layered best-path product as DataFrame joins, one layer per hop.

The same programme as :func:`graph.exposure.rank_search.best_values`: after ``h`` hops a
state holds, per starting unit, the best value (product of the claims' weights, left to
right) of a walk from the unit's starts to it; a hop that continues the previous hop's
claim multiplies by nothing (1.0 in ``best_paths``: the same float). A state is a node,
plus, where the node has hops continuing the claim it was reached by, a *pending* state
``(node, claim)`` whose continuation hops only it may take. Each layer keeps one row
per state and unit, ``groupBy(unit, node, claim).max(value)``: a lower value at the
same state can never end better (every later step multiplies both by the same weights,
and IEEE multiplication is monotone), so the maxima are the floats the in-process search
keeps. Every layer but the last (read at the targets only) is checkpointed: the plan of
layer ``h`` would otherwise carry all ``h`` joins before it, recomputed wherever a later
plan reads it. The checkpoint is ``localCheckpoint`` (the executors' block stores, memory
then disk): a reliable ``checkpoint`` computes the layer twice (once to count, once to
write) unless it is cached too, and needs a folder every executor shares; a lost
executor then costs a rerun of the ranking, which is a batch job anyway.

Hops are pruned as in process: a hop is followed only if its head can still reach a risk
target in the hops left (``dd``, the in-process pruning map, exported with each hop),
which changes no value and keeps the states near the targets.

Size control. The tables with one row per organisation, member or target (``units``,
``starts``, ``targets``, the hub list) are broadcast, so the joins against them never
shuffle the big side. A hub (a reseller with thousands of hops) makes the join of the
states with its hops skewed: every unit that reached it lands in one task, times all its
hops. So hops out of a node with at least ``hot`` of them are replicated ``salt`` times
(one copy per salt value) and the states at such a node are spread over the copies by
``unit mod salt``: the hub's work is split into ``salt`` tasks, at the cost of ``salt``
copies of its hops only. Spark's adaptive execution (on by default) also splits skewed
shuffle partitions it notices at run time.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from graph.exposure.filters import DECAY
from graph.spark.export import Exported

#: A node with at least this many hops out of it is a hub: its hops are salted.
HOT = 2000
#: Copies of a hub's hops (and tasks its states are spread over).
SALT = 8


def _salted(hops: DataFrame, hubs: DataFrame) -> DataFrame:
    """Each hop once, or ``salt`` times (``salt`` = 0..n-1) when its tail is a hub."""
    k = F.coalesce(F.col("k"), F.lit(1))
    return (hops.join(F.broadcast(hubs), F.col("src") == F.col("hub"), "left")
            .withColumn("salt", F.explode(F.sequence(F.lit(0), k - 1)))
            .drop("hub", "k"))


def _salt_of(states: DataFrame, hubs: DataFrame) -> DataFrame:
    """The states with the salt whose copy of the hub's hops they join (0 elsewhere)."""
    k = F.coalesce(F.col("k"), F.lit(1))
    return (states.join(F.broadcast(hubs), F.col("node") == F.col("hub"), "left")
            .withColumn("salt", F.pmod(F.col("unit"), k)).drop("hub", "k"))


def _settle(rows: DataFrame) -> DataFrame:
    """One layer from its candidate rows ``(unit, node, claim, v, lands)``: the best value
    per state ``(unit, node, claim)``, ``claim`` -1 for the node state (whose free hops
    any arrival may take) and the claim for a pending state (whose continuations only
    it may take); written out once (the layer's checkpoint)."""
    state = F.explode(F.when(F.col("lands"), F.array(F.lit(-1), F.col("claim")))
                      .otherwise(F.array(F.lit(-1))))
    return (rows.select("unit", "node", state.alias("claim"), "v")
            .groupBy("unit", "node", "claim").agg(F.max("v").alias("v"))
            .localCheckpoint())


def _at_targets(rows: DataFrame, targets: DataFrame, h: int) -> DataFrame:
    """``(unit, node, x)`` of the rows of layer ``h`` at a target: ``x = v x DECAY^(h-1)``
    (the factor is the float Python computes, as in process)."""
    factor: Column = F.lit(DECAY ** (h - 1))
    return rows.join(targets, "node").select("unit", "node", (F.col("v") * factor).alias("x"))


def best_values(spark: SparkSession, ex: Exported, hmax: int, hot: int = HOT,
                salt: int = SALT) -> DataFrame:
    """``(unit, node, x)``: for every unit and risk target it reaches within ``hmax``
    hops, the best ``product x DECAY^(hops-1)`` (a unit's own starts not excluded yet)."""
    hops = spark.read.parquet(ex.path("hops"))
    targets = F.broadcast(spark.read.parquet(ex.path("targets")).select("node"))
    free = hops.filter(F.col("need") < 0)
    # Distinct column names on every side of a join: the states descend from the hop
    # table too, and Spark refuses a join whose columns it cannot tell apart.
    follow = hops.filter(F.col("need") >= 0).select(
        F.col("src").alias("fsrc"), F.col("need").alias("fneed"),
        F.col("dst").alias("fdst"), F.col("claim").alias("fclaim"),
        F.col("dd").alias("fdd"), F.col("lands").alias("flands")).localCheckpoint()
    hubs = (free.groupBy("src").count().filter(F.col("count") >= hot)
            .select(F.col("src").alias("hub"), F.lit(salt).alias("k"))).localCheckpoint()
    free_salted = _salted(free.select("src", "dst", "claim", "weight", "dd", "lands"),
                          hubs).withColumnRenamed("salt", "hsalt").localCheckpoint()
    starts = F.broadcast(spark.read.parquet(ex.path("starts")).select(
        "unit", F.col("node").alias("snode"), F.col("lo").alias("slo"),
        F.col("hi").alias("shi")))
    first = (free.filter(F.col("supply") & (F.col("dd") <= hmax - 1))
             .join(starts, (F.col("src") == F.col("snode")) & (F.col("lo") <= F.col("shi"))
                   & (F.col("slo") <= F.col("hi")))
             .select("unit", F.col("dst").alias("node"), "claim", F.col("weight").alias("v"),
                     "lands"))
    states = _settle(first)
    found = []
    for h in range(1, hmax + 1):
        nodes = states.filter(F.col("claim") < 0).drop("claim")
        found.append(_at_targets(nodes, targets, h))
        if h == hmax:
            break
        left = hmax - h - 1
        near = free_salted.filter(F.col("dd") <= left)
        on = _salt_of(nodes, hubs)
        freely = (on.join(near, (F.col("node") == F.col("src"))
                          & (F.col("salt") == F.col("hsalt")))
                  .select("unit", F.col("dst").alias("node"), "claim",
                          (F.col("v") * F.col("weight")).alias("v"), "lands"))
        pend = states.filter(F.col("claim") >= 0)
        onward = (pend.join(follow.filter(F.col("fdd") <= left),
                            (F.col("node") == F.col("fsrc")) & (F.col("claim") == F.col("fneed")))
                  .select("unit", F.col("fdst").alias("node"), F.col("fclaim").alias("claim"),
                          "v", F.col("flands").alias("lands")))
        rows = freely.unionByName(onward)
        if h + 1 == hmax:
            # The last layer is read at the targets only (its hops all end at one): its
            # maxima are taken with the other layers', with no state table of its own.
            found.append(_at_targets(rows, targets, hmax))
            break
        states = _settle(rows)
    union = found[0]
    for more in found[1:]:
        union = union.unionByName(more)
    return union.groupBy("unit", "node").agg(F.max("x").alias("x"))


def contributions(spark: SparkSession, ex: Exported, best: DataFrame) -> DataFrame:
    """``(org, c, n, first)``: per organisation and contribution ``c`` (severity x best
    value), how many targets it reaches under ``c`` and the first of them (smallest id,
    i.e. smallest IRI). A unit that leaves out a start is read at that start only; a
    whole group is not read at its own starts (``best_paths``' own-start rule)."""
    units = F.broadcast(spark.read.parquet(ex.path("units")))
    starts = F.broadcast(spark.read.parquet(ex.path("starts")).select("unit", "node")
                         .distinct())
    targets = F.broadcast(spark.read.parquet(ex.path("targets")))
    at = best.join(units, "unit")
    whole = at.filter(F.col("goal") < 0).join(starts, ["unit", "node"], "left_anti")
    left_out = at.filter(F.col("goal") == F.col("node"))
    per_target = whole.unionByName(left_out).join(targets, "node")
    return (per_target.select("org", "node", (F.col("severity") * F.col("x")).alias("c"))
            .groupBy("org", "c").agg(F.count("*").alias("n"), F.min("node").alias("first")))
