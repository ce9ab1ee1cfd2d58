import sys

data = sys.stdin.read().strip()
print("output" + data[len("input") :])
