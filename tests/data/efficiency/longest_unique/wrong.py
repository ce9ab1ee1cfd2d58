def longest_unique(text):
    return len(set(text))
