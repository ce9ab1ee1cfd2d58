import sys


def merge_sort(items):
    if len(items) <= 1:
        return items
    middle = len(items) // 2
    left, right = merge_sort(items[:middle]), merge_sort(items[middle:])
    merged, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    return merged + left[i:] + right[j:]


n, seed = map(int, sys.stdin.read().split())
values, x = [], seed
for _ in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    values.append(x % 1000000)
print(sum(i * value for i, value in enumerate(merge_sort(values))) % 1000000007)
