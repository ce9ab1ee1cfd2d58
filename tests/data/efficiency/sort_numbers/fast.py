import sys

n, seed = map(int, sys.stdin.read().split())
values, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    values.append(x % 1000000)
print(sum(i * value for i, value in enumerate(sorted(values))) % 1000000007)
