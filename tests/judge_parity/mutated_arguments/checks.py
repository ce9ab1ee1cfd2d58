import collections

from solution import add_row, add_to, fill_diagonal, group, grow, push_both, sorted_copy


def test_a_nested_change_reaches_the_tests_own_rows():
    grid = [[0, 0], [0, 0]]
    row = grid[0]
    fill_diagonal(grid, 1)
    assert grid == [[1, 0], [0, 1]]
    assert grid[0] is row
    assert row == [1, 0]


def test_rows_that_are_one_list_change_together():
    grid = [[0] * 2] * 2
    fill_diagonal(grid, 1)
    assert grid == [[1, 1], [1, 1]]


def test_a_list_inside_a_dict_changes_in_place():
    table = {"a": [1]}
    inner = table["a"]
    add_to(table, "a", 2)
    assert inner == [1, 2]


def test_lists_inside_a_tuple_change_in_place():
    pair = ([], [])
    push_both(pair, 5)
    assert pair == ([5], [5])


def test_an_argument_left_alone_stays_as_it_was():
    numbers = [3, 1, 2]
    assert sorted_copy(numbers) == [1, 2, 3]
    assert numbers == [3, 1, 2]


def test_a_row_added_and_returned_is_one_object():
    grid = [[1]]
    row = add_row(grid)
    assert grid[-1] is row
    assert grid == [[1], []]


def test_a_set_and_a_bounded_deque_change_in_place():
    seen = {1}
    recent = collections.deque([1], maxlen=2)
    grow(seen, recent)
    assert seen == {1, 2}
    assert list(recent) == [1, 2]
    assert recent.maxlen == 2


def test_a_defaultdict_keeps_its_factory():
    into = collections.defaultdict(list)
    group([("a", 1), ("b", 2), ("a", 3)], into)
    assert into == {"a": [1, 3], "b": [2]}
    assert into.default_factory is list
