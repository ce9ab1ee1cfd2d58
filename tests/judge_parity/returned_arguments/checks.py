from solution import append_zero, deep_copy, first_row, same_pair


def test_a_copy_is_new_all_the_way_down():
    grid = [[1, 2], [3, 4]]
    copied = deep_copy(grid)
    assert copied == grid
    assert copied is not grid
    assert copied[0] is not grid[0]


def test_an_in_place_append_returns_the_list_it_was_given():
    numbers = [1]
    result = append_zero(numbers)
    assert result is numbers
    assert numbers == [1, 0]


def test_a_row_is_the_grids_own_row():
    grid = [[1], [2]]
    assert first_row(grid) is grid[0]


def test_one_argument_returned_twice_is_one_object():
    items = [1]
    left, right = same_pair(items)
    assert left is right
    assert left is items
