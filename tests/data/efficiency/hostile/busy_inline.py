# What busy_child.py really costs, spent in the solution's own process.
import sys
import time

n, seed = map(int, sys.stdin.read().split())
ends = time.process_time() + 0.15
while time.process_time() < ends:
    pass
values, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    values.append(x % 400)
print(len(set(values)))
