import sys

values = list(map(int, sys.stdin.read().split()[1:]))
best = values[0]
for start in range(len(values)):
    running = 0
    for end in range(start, len(values)):
        running += values[end]
        if running > best:
            best = running
print(best)
