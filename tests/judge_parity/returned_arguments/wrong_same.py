def deep_copy(grid):
    return grid


def append_zero(numbers):
    numbers.append(0)
    return list(numbers)


def first_row(grid):
    return grid[0][:]


def same_pair(items):
    return list(items), list(items)
