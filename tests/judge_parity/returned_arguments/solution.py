import copy


def deep_copy(grid):
    return copy.deepcopy(grid)


def append_zero(numbers):
    numbers.append(0)
    return numbers


def first_row(grid):
    return grid[0]


def same_pair(items):
    return items, items
