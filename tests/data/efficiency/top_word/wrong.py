import sys

n, seed = map(int, sys.stdin.read().split())
x = (seed * 1103515245 + 12345) % 2147483648
print(f"w{x % 60:02d}", n // 60)
