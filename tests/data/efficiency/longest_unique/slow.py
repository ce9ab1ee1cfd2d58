def longest_unique(text):
    best = 0
    for start in range(len(text)):
        end = start
        while end < len(text) and len(set(text[start : end + 1])) == end - start + 1:
            end += 1
        best = max(best, end - start)
    return best
