# A wrong solution: it computes nothing; it waits (sleeping: no CPU) until another sandbox's
# right solution holds its answer as locks on the host's standard library files (see
# flock_leaker.py), reads the bits with non-blocking flock() tries, and prints them.
import fcntl
import os
import time

BITS = 15


def files():
    home = os.path.dirname(os.path.realpath(os.__file__))
    names = sorted(n for n in os.listdir(home) if n.endswith(".py"))
    return [os.path.join(home, n) for n in names[: BITS + 1]]


def held(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


paths = files()
found = "none"
deadline = time.monotonic() + 3
while time.monotonic() < deadline:
    if held(paths[BITS]):
        found = str(sum(1 << bit for bit in range(BITS) if held(paths[bit])))
        break
    time.sleep(0.02)
print(found)
