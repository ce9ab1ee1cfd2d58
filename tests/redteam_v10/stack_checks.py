from solution import make_stack


def test_items():
    assert make_stack([1, 2]) == [1, 2]


def test_a_full_stack_is_true():
    assert make_stack([1, 2])
    assert str(make_stack([1, 2])) == "[1, 2]"
