"""bench: evaluation and speed scripts on the shared corpora, each run as a module from the repository's root.

    .venv/bin/python -m bench.bench_audit --sizes 2000
    .venv/bin/python -m bench.eval_translation ../shared/corpora/wmt22

They import provenance's public API only: the names in each sub-package's ``__all__`` (and
provenance.config and provenance.errors). Some still read the database through the store's
models (provenance.store.schema), which the store's reader API is to replace. Each takes a
size, a count, a path or --limit to run small: tests/test_bench_smoke.py runs every one so on
about 50 articles.
"""
