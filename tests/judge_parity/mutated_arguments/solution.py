def fill_diagonal(grid, value):
    for i in range(len(grid)):
        grid[i][i] = value


def add_to(table, key, value):
    table[key].append(value)


def push_both(pair, value):
    for items in pair:
        items.append(value)


def sorted_copy(numbers):
    return sorted(numbers)


def add_row(grid):
    row = []
    grid.append(row)
    return row


def grow(seen, recent):
    seen.add(2)
    recent.append(2)


def group(pairs, into):
    for key, value in pairs:
        into[key].append(value)
