# A program whose CPU cost is its input: n loop iterations (bench/efficiency_stability.py
# builds pairs of known cost ratios from it).
import sys

n = int(sys.stdin.read())
total = 0
for i in range(n):
    total += i % 7
print(n)
