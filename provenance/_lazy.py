"""Lazy exports of the sub-packages (PEP 562): a public name is imported when first used.

Importing a sub-package then loads nothing but this module, so ``provenance --help`` and
``provenance check`` pay only for the modules they use (the pipeline's load numba, datasketch,
scipy and SQLAlchemy: seconds on a small machine). Each sub-package's ``__init__`` lists its
public names three times, kept equal by tests/test_bench_smoke.py: in ``__all__`` (the API),
in imports under ``if TYPE_CHECKING:`` (for mypy, which would take a module ``__getattr__``
to accept any name) and to lazy_exports, by module::

    if TYPE_CHECKING:
        from provenance.ingest.run import BATCH_SIZE, ingest

    __all__ = ["BATCH_SIZE", "ingest"]

    if not TYPE_CHECKING:  # mypy reads the imports above
        __getattr__, __dir__ = lazy_exports(__name__, {"run": ("BATCH_SIZE", "ingest")})

A public name never equals a submodule's name: importing the submodule sets the package's
attribute of that name to the module, so the name would mean the module or the object
depending on what had been imported before (modules are named for what they hold:
``ingest.verdicts`` holds ``check``). An object can be exported under another name, given as
a pair (public name, name there)::

    if TYPE_CHECKING:
        from provenance.ingest.preparation import prepare as prepare_document

    lazy_exports(__name__, {"preparation": (("prepare_document", "prepare"),)})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Getattr = Callable[[str], Any]
Dir = Callable[[], list[str]]
Exports = Mapping[str, Iterable[str | tuple[str, str]]]
"""Submodule → the names it exports: each its name there, or a pair (public name, name there)."""


def lazy_exports(package: str, modules: Exports) -> tuple[Getattr, Dir]:
    """The module-level ``__getattr__`` and ``__dir__`` of `package`, which exports `modules`.

    ``__getattr__`` imports a name's submodule on its first use and keeps the object in the
    package's namespace, so later uses are plain attribute reads.
    """
    where: dict[str, tuple[str, str]] = {}
    for module, names in modules.items():
        for name in names:
            public, inner = (name, name) if isinstance(name, str) else name
            where[public] = (module, inner)
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        found = where.get(name)
        if found is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, inner = found
        value = getattr(importlib.import_module(f"{package}.{module}"), inner)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
