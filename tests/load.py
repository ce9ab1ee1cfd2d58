"""A loaded machine, for tests and benches that must hold under load (docs: DESIGN, testing)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator


@contextlib.contextmanager
def busy_loops(count: int | None = None, settle_s: float = 0.0) -> Iterator[list[subprocess.Popen]]:
    """`count` CPU-bound processes (default: one per core) while the block runs.

    Each leads a session of its own, so that the scheduler's autogroup cannot fold them into
    one slice and the load is real.  `settle_s` gives them time to be scheduled first.
    """
    if count is None:
        count = os.cpu_count() or 1
    loops = [
        # A pure user-space spin, as a policy's busy code is (`yes` would spend it in write()).
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(count)
    ]
    try:
        time.sleep(settle_s)
        yield loops
    finally:
        for loop in loops:
            loop.kill()
            loop.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, from /proc (to check that the load competed)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
