import sys
from collections import Counter

n, seed = map(int, sys.stdin.read().split())
words, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    words.append(f"w{x % 60:02d}")
counts = Counter(words)
best = min(counts.items(), key=lambda item: (-item[1], item[0]))
print(best[0], best[1])
