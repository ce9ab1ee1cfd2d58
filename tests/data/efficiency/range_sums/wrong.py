import sys

n, q, seed = map(int, sys.stdin.read().split())
x, prefix = seed, [0]
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    prefix.append(prefix[-1] + x % 2001 - 1000)
total = 0
for k in range(q):
    x = (x * 1103515245 + 12345) % 2147483648
    left = x % n
    x = (x * 1103515245 + 12345) % 2147483648
    right = left + x % (n - left)
    total += (k + 1) * (prefix[right] - prefix[left])
print(total)
