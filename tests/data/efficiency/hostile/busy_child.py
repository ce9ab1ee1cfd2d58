# The fast answer, plus a child that busy-waits while the parent sleeps: that spinning is
# CPU the solution spends, and it must count.
import os
import sys
import time

n, seed = map(int, sys.stdin.read().split())
spinner = os.fork()
if spinner == 0:
    ends = time.process_time() + 0.15
    while time.process_time() < ends:
        pass
    os._exit(0)
values, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    values.append(x % 400)
time.sleep(0.4)
print(len(set(values)))
