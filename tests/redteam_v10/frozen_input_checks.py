from solution import sorted_copy


class FrozenList(list):
    """The tests' input: any change to it fails the test."""

    def _refuse(self, *args, **kwargs):
        raise AssertionError("the input was changed")

    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = _refuse


def test_sorted():
    assert sorted_copy([3, 1, 2]) == [1, 2, 3]


def test_input_left_alone():
    xs = FrozenList([3, 1, 2])
    assert sorted_copy(xs) == [1, 2, 3]
