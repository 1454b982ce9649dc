"""The Spark audit as a program for spark-submit: read, sign, link and cluster on the cluster,
write Parquet, load into a database.

    spark-submit --master yarn --py-files provenance.zip provenance/spark/__main__.py \\
        --parquet hdfs:///audits/2026-12 --db postgresql+psycopg://user@db/news s3a://bucket/crawl/
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from provenance.config import Settings
from provenance.errors import ProvenanceError
from provenance.spark.job import run_spark_audit, spark_session
from provenance.store.store import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provenance.spark", description=__doc__)
    parser.add_argument("paths", nargs="+", help="files and folders (JSONL, WARC, Parquet, …)")
    parser.add_argument("--parquet", type=Path, help="write articles, links, clusters, passages")
    parser.add_argument("--db", help="load the result into this database (SQLAlchemy URL)")
    parser.add_argument(
        "--master", help="Spark master (default: spark-submit's, else local[2])", default=None
    )
    args = parser.parse_args(argv)
    submitted = "SPARK_ENV_LOADED" in os.environ  # spark-submit gives the master
    session = spark_session(args.master or (None if submitted else "local[2]"))
    store = Store(args.db) if args.db else None
    try:
        result = run_spark_audit(
            args.paths, Settings(), parquet_dir=args.parquet, store=store, spark=session
        )
    except ProvenanceError as error:
        print(f"provenance spark: {error}", file=sys.stderr)
        return 3
    finally:
        if store is not None:
            store.close()
    for failure in result.failures:
        print(f"error: {failure.origin}: {failure.reason}", file=sys.stderr)
    print(
        f"{len(result.articles):,} articles, {len(result.links):,} links, "
        f"{len(result.clusters):,} clusters, {len(result.passages):,} passage witnesses"
    )
    return 3 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
