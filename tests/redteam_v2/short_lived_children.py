# About 1.2 s of CPU under a 0.5 s limit, done in 150 children of 8 ms each (two chains of
# them side by side), reaped by the kernel (SIGCHLD ignored) the moment they exit: each lives
# less than a meter's look apart, and none is ever waited for.
import os
import signal
import time

CHAINS = 2
CHILDREN = 75  # per chain
EACH_S = 0.008


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def chain() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for _ in range(CHILDREN):
        r, w = os.pipe()
        if os.fork() == 0:
            os.close(r)
            burn(EACH_S)
            os._exit(0)
        os.close(w)
        os.read(r, 1)  # EOF when the child is gone
        os.close(r)


n = int(input())
chains = []
for _ in range(CHAINS):
    pid = os.fork()
    if pid == 0:
        chain()
        os._exit(0)
    chains.append(pid)
for pid in chains:
    os.waitpid(pid, 0)
print(n + 1)
