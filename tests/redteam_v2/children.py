"""Work done in chains of children reaped by the kernel (SIGCHLD ignored) the moment they
exit, each waited for only by a pipe's EOF: no rusage of theirs ever reaches anyone."""

import os
import signal
import time


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def chain(children: int, each_s: float) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for _ in range(children):
        r, w = os.pipe()
        if os.fork() == 0:
            os.close(r)
            burn(each_s)
            os._exit(0)
        os.close(w)
        os.read(r, 1)  # EOF when the child is gone
        os.close(r)


def chains_side_by_side(count: int, children: int, each_s: float) -> None:
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            chain(children, each_s)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
