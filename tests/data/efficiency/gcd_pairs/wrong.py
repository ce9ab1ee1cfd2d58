import sys

data = list(map(int, sys.stdin.read().split()[1:]))
print(sum(min(data[i], data[i + 1]) for i in range(0, len(data), 2)))
