import sys


def best_in(values, low, high):
    """The best sum of a non-empty run inside values[low:high]."""
    if high - low == 1:
        return values[low]
    middle = (low + high) // 2
    left_best = running = values[middle - 1]
    for i in range(middle - 2, low - 1, -1):
        running += values[i]
        left_best = max(left_best, running)
    right_best = running = values[middle]
    for i in range(middle + 1, high):
        running += values[i]
        right_best = max(right_best, running)
    crossing = left_best + right_best
    return max(best_in(values, low, middle), best_in(values, middle, high), crossing)


values = list(map(int, sys.stdin.read().split()[1:]))
print(best_in(values, 0, len(values)))
