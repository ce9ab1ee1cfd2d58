import sys

words = sys.stdin.read().split()[1:]
print(len({(len(word), word[0]) for word in words}))
