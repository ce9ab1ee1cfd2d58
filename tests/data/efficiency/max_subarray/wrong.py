import sys

values = list(map(int, sys.stdin.read().split()[1:]))
print(sum(value for value in values if value > 0))
