import sys

n, q, seed = map(int, sys.stdin.read().split())
x, values = seed, []
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    values.append(x % 2001 - 1000)
total = 0
for k in range(q):
    x = (x * 1103515245 + 12345) % 2147483648
    left = x % n
    x = (x * 1103515245 + 12345) % 2147483648
    right = left + x % (n - left)
    part = 0
    for value in values[left : right + 1]:
        part += value
    total += (k + 1) * part
print(total)
