import sys

values = list(map(int, sys.stdin.read().split()[1:]))
best = current = values[0]
for value in values[1:]:
    current = max(value, current + value)
    best = max(best, current)
print(best)
