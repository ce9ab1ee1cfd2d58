from solution import deep_copy


def test_equal_values():
    grid = [[1, 2], [3, 4]]
    assert deep_copy(grid) == [[1, 2], [3, 4]]


def test_a_new_grid():
    grid = [[1, 2], [3, 4]]
    copied = deep_copy(grid)
    assert copied is not grid
    assert copied[0] is not grid[0]
