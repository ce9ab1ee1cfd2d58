def deep_copy(grid):
    return list(grid)


def append_zero(numbers):
    return [*numbers, 0]


def first_row(grid):
    return list(grid[0])


def same_pair(items):
    return items, list(items)
