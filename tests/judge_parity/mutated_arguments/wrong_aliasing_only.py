def fill_diagonal(grid, value):
    for i in range(len(grid)):
        grid[i] = [value if j == i else cell for j, cell in enumerate(grid[i])]
