def longest_unique(text):
    best = 0
    for start in range(len(text)):
        seen = set()
        for end in range(start, len(text)):
            if text[end] in seen:
                break
            seen.add(text[end])
        best = max(best, len(seen))
    return best
