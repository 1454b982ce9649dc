"""CPU time spent over a stretch of work: by this process (the writer), its finished children (the ingest's workers) and the local PostgreSQL server.

An ingest shares the machine's cores among the writer, the worker processes and, on PostgreSQL,
the server's processes. Its rate is at most cores / (CPU seconds per article, all of them
together), so the split says which side a target needs cheaper. The server's share counts
every process named ``postgres`` that is alive at a reading and, through the postmaster's
``children_user`` and ``children_system``, those that ended in between (autovacuum workers, a
connection's backend); this needs the server on this machine and permission to read its
processes (the same user, or root).

    before = cpu_times(server=True)
    ...                                    # the work
    spent = cpu_spent(before, cpu_times(server=True))
    per_article_ms(spent, articles)        # {"writer": 1.6, "workers": 3.1, "server": 2.0, "all": 6.7}
"""

from __future__ import annotations

import resource

import psutil  # type: ignore[import-untyped]

CpuTimes = dict[str, dict[str, float]]


def _server_seconds() -> dict[str, float] | None:
    """User and system CPU seconds of the local PostgreSQL server's processes, those that ended
    included; None when none can be read.
    """
    user = system = 0.0
    found = False
    for process in psutil.process_iter(["name"]):
        try:
            if process.info["name"] != "postgres":
                continue
            times = process.cpu_times()
            user, system = user + times.user, system + times.system
            parent = process.parent()
            if parent is None or parent.name() != "postgres":  # the postmaster: its reaped children
                user, system = user + times.children_user, system + times.children_system
            found = True
        except psutil.Error:
            continue
    return {"user": user, "system": system} if found else None


def cpu_times(server: bool = False) -> CpuTimes:
    """User and system CPU seconds so far: of this process (``writer``), of its finished children
    (``workers``, once their pool has shut down) and, with `server`, of the local PostgreSQL server
    (``server``, when it can be read).
    """
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    found = {
        "writer": {"user": own.ru_utime, "system": own.ru_stime},
        "workers": {"user": children.ru_utime, "system": children.ru_stime},
    }
    if server and (seconds := _server_seconds()) is not None:
        found["server"] = seconds
    return found


def cpu_spent(before: CpuTimes, after: CpuTimes) -> CpuTimes:
    """CPU seconds spent between two readings, by whom and user or system, to 0.1 s."""
    return {
        who: {part: round(value - before[who][part], 1) for part, value in parts.items()}
        for who, parts in after.items()
        if who in before
    }


def per_article_ms(spent: CpuTimes, articles: int) -> dict[str, float]:
    """Milliseconds of CPU per article, by whom and all together."""
    totals = {who: sum(parts.values()) for who, parts in spent.items()}
    totals["all"] = sum(totals.values())
    return {who: round(1000 * seconds / max(articles, 1), 2) for who, seconds in totals.items()}
