"""The naive reference for the batch engine: datasketch MinHashes, a MinHashLSH and a sqlite3 table.

What a user might write in an afternoon to find near-duplicates in a JSONL corpus: a single
process, no workers (that is what naive means here), each record's text lower-cased and split into
words, its shingles of the tool's size (3 words) hashed into a ``datasketch.MinHash`` of 128
permutations (the tool's) with ``update_batch``, the ``MinHashLSH`` (threshold 0.4, the tool's body
threshold) queried for earlier records and then given the record, and the records, their signatures
and the candidate pairs written to a sqlite3 database. No verification, no direction, no passages,
no attributions: it is the floor a batch engine's speed is compared with (bench_batch.py).

    .venv/bin/python -m bench.naive_minhash corpus-5000-000.jsonl --db /tmp/naive.sqlite
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datasketch import MinHash, MinHashLSH

from provenance.config import Settings

WORD = re.compile(r"\w+")


def shingles_of(text: str, size: int) -> list[bytes]:
    """The distinct `size`-word shingles of a text, lower-cased, as UTF-8 bytes."""
    words = WORD.findall(text.lower())
    return list({" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)})


def run_naive(paths: Sequence[Path], db_path: Path) -> dict[str, Any]:
    """Sign, index and store every record of the JSONL files; counts and seconds."""
    settings = Settings()
    started = time.perf_counter()
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT, title TEXT, text TEXT, signature BLOB)"
    )
    db.execute("CREATE TABLE candidates (first INTEGER, second INTEGER)")
    lsh = MinHashLSH(threshold=settings.body_threshold, num_perm=settings.num_perm)
    records = candidates = 0
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                minhash = MinHash(num_perm=settings.num_perm)
                minhash.update_batch(shingles_of(record.get("text") or "", settings.shingle_size))
                found = lsh.query(minhash)
                db.executemany(
                    "INSERT INTO candidates VALUES (?, ?)", [(other, records) for other in found]
                )
                candidates += len(found)
                lsh.insert(records, minhash)
                db.execute(
                    "INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
                    (
                        records,
                        record.get("url"),
                        record.get("title"),
                        record.get("text"),
                        minhash.hashvalues.tobytes(),
                    ),
                )
                records += 1
    db.commit()
    db.close()
    return {"records": records, "candidates": candidates, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", type=Path, help="JSONL files")
    parser.add_argument("--db", type=Path, required=True, help="the sqlite3 file to write")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = run_naive(args.paths, args.db)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['records']:,} records, {result['candidates']:,} candidate pairs, "
            f"{result['seconds']:.1f} s"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
