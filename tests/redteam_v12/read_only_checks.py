from solution import sorted_copy, without


class ReadOnly(list):
    """The tests' list that no function under test may change: its changing methods raise."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("read-only")

    append = extend = insert = pop = remove = sort = reverse = clear = _refuse


class ReadOnlySet(set):
    def _refuse(self, *args, **kwargs):
        raise TypeError("read-only")

    add = discard = pop = clear = update = _refuse


def test_sorted_copy_leaves_its_input():
    data = ReadOnly([3, 1, 2])
    assert sorted_copy(data) == [1, 2, 3]


def test_without_leaves_its_input():
    tags = ReadOnlySet({"a", "b", "c"})
    assert without(tags, "b") == {"a", "c"}
