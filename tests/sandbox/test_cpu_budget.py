"""Budgets are CPU time, not wall-clock time: a loaded machine does not turn a pass into a timeout.

A job's timeout_s is CPU seconds of its own processes (RLIMIT_CPU and the CPU time the kernel
reports); the wall clock is only a generous backstop (procutil.wall_backstop_s) for jobs that
sleep or stop. The sandbox runs at most as many jobs at once as the host has cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import ExecutionRequest
from tests.load import busy_loops
from tests.sandbox.conftest import assert_healthy
from tests.sandbox.test_hostile import run

# A correct solution that needs about 2.5 s of CPU: the work is scaled from a measured sample.
TARGET_CPU_S = 2.5
SAMPLE_LOOPS = 200_000
WORK = "n = {loops}\ntotal = 0\nfor i in range(n):\n    total += i * i % 7\nprint(total)"
COPIES = 16


def measured_loops() -> int:
    """Loops of WORK that take TARGET_CPU_S of CPU in this machine's system Python."""
    code = "import time\nt = time.process_time()\n" + WORK.format(loops=SAMPLE_LOOPS)
    code += "\nprint(time.process_time() - t)"
    python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    per_loop = float(out.stdout.split()[-1]) / SAMPLE_LOOPS
    return int(TARGET_CPU_S / per_loop)


def expected_total(loops: int) -> str:
    return f"{sum(i * i % 7 for i in range(loops))}\n"


@pytest.fixture
def busy_cores() -> Iterator[None]:
    """One busy loop per core."""
    with busy_loops():
        yield


def test_sixteen_copies_of_a_2_5s_solution_all_pass_on_a_loaded_machine(sandbox, busy_cores):
    loops = measured_loops()
    # A 5 s CPU limit, twice the work's: the CPU time of the same work grows with what shares
    # the cores (caches, hyperthreads): 2.7-3.6 s for these 16 copies in one CI run.
    request = ExecutionRequest(code=WORK.format(loops=loops), timeout_s=5)
    started = time.monotonic()
    with ThreadPoolExecutor(COPIES) as pool:
        results = list(pool.map(sandbox.execute, [request] * COPIES))
    wall_s = time.monotonic() - started
    statuses = [result.status for result in results]
    assert statuses == ["ok"] * COPIES, (statuses, wall_s, [r.cpu_ms for r in results])
    assert {result.stdout for result in results} == {expected_total(loops)}
    assert_healthy(sandbox)


def test_a_cpu_loop_times_out_on_its_cpu_budget(sandbox):
    result = run(sandbox, "while True:\n    pass", timeout_s=1)
    assert (result.status, result.exit_code) == ("timeout", None)
    assert result.cpu_ms is None or result.cpu_ms >= 1000
    assert_healthy(sandbox)


def test_catching_sigxcpu_does_not_escape_the_budget(sandbox):
    code = """
    import signal, sys
    signal.signal(signal.SIGXCPU, lambda *_: sys.exit(0))
    while True:
        pass
    """
    result = run(sandbox, code, timeout_s=1)
    assert result.status == "timeout", result
    assert_healthy(sandbox)


def test_a_sleeper_is_ended_by_the_wall_clock_backstop(sandbox):
    started = time.monotonic()
    result = run(sandbox, "import time\ntime.sleep(60)", timeout_s=1)
    assert result.status == "timeout"
    assert time.monotonic() - started < 30


def test_a_callers_wall_limit_ends_a_sleeper_before_the_backstop(sandbox):
    # A request that gave up after 1.5 s must get its slot back then, not at the backstop
    # (3 x 5 s + 5 s here).
    started = time.monotonic()
    result = run(sandbox, "import time\ntime.sleep(60)", timeout_s=5, wall_limit_s=1.5)
    elapsed = time.monotonic() - started
    assert result.status == "timeout"
    assert elapsed < 10, elapsed
    assert_healthy(sandbox)


def test_a_wall_limit_never_cuts_a_job_that_finishes_within_it(sandbox):
    result = run(sandbox, "print(sum(range(1000)))", timeout_s=5, wall_limit_s=30)
    assert result.status == "ok", result
    assert result.stdout == "499500\n"


def test_a_wall_limit_that_is_not_positive_is_refused(sandbox):
    with pytest.raises(ValueError, match="wall_limit_s"):
        run(sandbox, "print(1)", wall_limit_s=0)
