from collections import Counter


def pair_count(n, seed, target):
    values, x = [], seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        values.append(x % target)
    counts = Counter(values)
    return sum(count * counts.get(target - value, 0) for value, count in counts.items())
