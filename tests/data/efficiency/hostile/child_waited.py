# The slow work in a child the solution waits for; the parent itself does nothing.
import os
import sys

n, seed = map(int, sys.stdin.read().split())
pid = os.fork()
if pid == 0:
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
os.waitpid(pid, 0)
