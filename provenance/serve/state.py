"""What a running server holds: the store it opened, its settings and registry, and its write token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from provenance.config import Settings
from provenance.knowledge.registry import Registry
from provenance.store.store import Store

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Server:
    """The state every request reads: one Store (its engine pools connections across threads)."""

    store: Store
    settings: Settings
    registry: Registry
    token: str | None

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking library work in the thread pool, so that other requests go on meanwhile."""
        return await run_in_threadpool(work, *args, **kwargs)
