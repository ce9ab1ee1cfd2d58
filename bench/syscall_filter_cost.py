"""What the cases' syscall filter (sandbox/syscall_filter.py) costs, measured side by side.

    python bench/syscall_filter_cost.py [--rounds 2000]

Per case process: a fork that exits at once, with and without installing the filter in the
child first (as zygote.become_case does), interleaved so both see the same load; the wall
time per fork and the extra time the install adds. Per call: a loop of `os.stat` (an allowed
call) and of `os.getppid` in a child, filtered and not: an allowed call's verdict depends on
its number only, which the kernel caches, so the ratio should be about 1.
Run as root or not; prints medians of 5 batches (and of each install() timed on its own).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox import syscall_filter


def fork_batch(rounds: int, install: bool) -> float:
    """Seconds per fork + (install) + exit + wait, over `rounds` forks."""
    start = time.perf_counter()
    for _ in range(rounds):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                if install:
                    syscall_filter.install()
            except BaseException:
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise SystemExit("the child could not install the filter")
    return (time.perf_counter() - start) / rounds


def install_times(rounds: int) -> tuple[float, float]:
    """Median CPU and wall seconds of install() itself, timed inside forked children (the
    case's own CPU: it runs after the case's uid and rlimits are set)."""
    cpu, wall = [], []
    for _ in range(rounds):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            syscall_filter.install()
            took = (time.process_time() - cpu_start, time.perf_counter() - wall_start)
            os.write(write_end, repr(took).encode())
            os._exit(0)
        os.close(write_end)
        os.waitpid(pid, 0)
        with os.fdopen(read_end) as f:
            took_cpu, took_wall = (float(x) for x in f.read().strip("()").split(","))
        cpu.append(took_cpu)
        wall.append(took_wall)
    return statistics.median(cpu), statistics.median(wall)


def call_batch(calls: int, install: bool, call) -> float:
    """Seconds per call of `call`, in a child (filtered or not)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        if install:
            syscall_filter.install()
        start = time.perf_counter()
        for _ in range(calls):
            call()
        os.write(write_end, repr((time.perf_counter() - start) / calls).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as f:
        return float(f.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2000, help="forks per batch")
    parser.add_argument("--calls", type=int, default=200_000, help="calls per batch")
    args = parser.parse_args()
    if syscall_filter.UNAVAILABLE:
        raise SystemExit(syscall_filter.UNAVAILABLE)
    print(f"filter: {len(syscall_filter.PROGRAM) // 8} instructions, {syscall_filter.ARCH}")
    plain, filtered = [], []
    for _ in range(5):
        plain.append(fork_batch(args.rounds, install=False))
        filtered.append(fork_batch(args.rounds, install=True))
    p, f = statistics.median(plain), statistics.median(filtered)
    print(f"fork + exit:            {p * 1e6:8.1f} us")
    print(f"fork + install + exit:  {f * 1e6:8.1f} us   (+{(f - p) * 1e6:.1f} us, {f / p:.2f}x)")
    cpu, wall = install_times(args.rounds)
    print(f"install() alone:        {wall * 1e6:8.1f} us wall, {cpu * 1e6:.1f} us CPU (median)")
    for name, call in (("stat", lambda: os.stat("/")), ("getppid", os.getppid)):
        plain_calls, filtered_calls = [], []
        for _ in range(5):
            plain_calls.append(call_batch(args.calls, False, call))
            filtered_calls.append(call_batch(args.calls, True, call))
        p, f = statistics.median(plain_calls), statistics.median(filtered_calls)
        print(f"{name:8} per call: {p * 1e9:7.0f} ns unfiltered, {f * 1e9:7.0f} ns filtered "
              f"({f / p:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
