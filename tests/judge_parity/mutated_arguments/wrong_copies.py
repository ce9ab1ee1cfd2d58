def fill_diagonal(grid, value):
    grid[:] = [
        [value if i == j else cell for j, cell in enumerate(row)] for i, row in enumerate(grid)
    ]


def add_to(table, key, value):
    table[key] = table[key] + [value]


def push_both(pair, value):
    return tuple([*items, value] for items in pair)


def sorted_copy(numbers):
    numbers.sort()
    return numbers


def add_row(grid):
    grid.append([])
    return []


def grow(seen, recent):
    seen |= {2}
    recent.extend([2, 3])
