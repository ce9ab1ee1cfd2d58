def pair_count(n, seed, target):
    values, x = [], seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        values.append(x % target)
    total = 0
    for value in sorted(set(values)):
        other = target - value
        if other > value:
            total += values.count(value) * values.count(other)
        elif other == value:
            count = values.count(value)
            total += count * (count - 1) // 2
    return total
