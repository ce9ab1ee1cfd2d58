"""CPU-time budgets for math grading, so that a verdict does not depend on machine load.

A wall-clock budget (math-verify's `signal.alarm`) runs out sooner on a busy machine: the same
gold that parses in 0.4 s on a quiet one came back unreadable under load.  CPU time is what the
work itself costs, whatever else runs.  `ITIMER_PROF` counts this process's user and system
time and delivers SIGPROF when the budget is spent; the handler raises `OutOfCpuTime`.

`OutOfCpuTime` is a BaseException on purpose: math-verify and sympy catch `Exception` in many
places and would turn an interrupted parse into "no match" or `False`, a made-up verdict.

Interval timers and signal handlers belong to the main thread.  Elsewhere no budget is set,
and the caller's hard deadline (the pool kills the worker process) is the only limit.  Inputs
that spin inside C code (gmpy's power of a power tower) see the signal only when they return,
and are the hard kill's job too.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class OutOfCpuTime(BaseException):
    """The CPU-time budget of a grading step is spent."""


def _raise_out_of_cpu_time(signum: int, frame: FrameType | None) -> None:
    raise OutOfCpuTime


def budgets_available() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Raise OutOfCpuTime inside the block once it has used `seconds` of CPU time.

    Nested budgets do not stack: inside a running budget the outer one governs, so that a
    step can never extend its caller's limit.
    """
    if not budgets_available() or signal.getitimer(signal.ITIMER_PROF)[0] > 0:
        yield
        return
    previous = signal.signal(signal.SIGPROF, _raise_out_of_cpu_time)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
