from collections import Counter


def pair_count(n, seed, target):
    values, x = [], seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        values.append(x % target)
    counts = Counter(values)
    total = 0
    for value, count in counts.items():
        other = target - value
        if other > value:
            total += count * counts.get(other, 0)
        elif other == value:
            total += count * (count - 1) // 2
    return total
