"""spark: the batch engine's stages on Spark (read, sign, candidates, verify, clusters, Parquet,
load), for corpora past one machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.spark.job import SparkResult, run_spark_audit, spark_session

__all__ = ["SparkResult", "run_spark_audit", "spark_session"]

if not TYPE_CHECKING:  # mypy reads the imports above
    __getattr__, __dir__ = lazy_exports(
        __name__, {"job": ("SparkResult", "run_spark_audit", "spark_session")}
    )
