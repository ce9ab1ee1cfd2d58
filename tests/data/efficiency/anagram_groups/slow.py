import sys
from collections import Counter

words = sys.stdin.read().split()[1:]
groups = []
for word in words:
    letters = Counter(word)
    if not any(letters == group for group in groups):
        groups.append(letters)
print(len(groups))
