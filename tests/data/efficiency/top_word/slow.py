import sys

n, seed = map(int, sys.stdin.read().split())
words, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    words.append(f"w{x % 60:02d}")
best_word, best_count = None, -1
for word in sorted(set(words)):
    count = 0
    for other in words:
        if other == word:
            count += 1
    if count > best_count:
        best_word, best_count = word, count
print(best_word, best_count)
