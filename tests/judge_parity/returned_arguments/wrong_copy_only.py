def deep_copy(grid):
    return [row for row in grid]
