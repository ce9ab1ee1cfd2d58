def longest_unique(text):
    last_seen = {}
    start = best = 0
    for index, char in enumerate(text):
        if last_seen.get(char, -1) >= start:
            start = last_seen[char] + 1
        last_seen[char] = index
        best = max(best, index - start + 1)
    return best
