import sys

n, seed = map(int, sys.stdin.read().split())
print(n // 2)
