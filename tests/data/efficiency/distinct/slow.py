import sys

n, seed = map(int, sys.stdin.read().split())
values, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    values.append(x % 400)
seen = []
for value in values:
    if value not in seen:
        seen.append(value)
print(len(seen))
