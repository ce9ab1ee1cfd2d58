import copy

from solution import make_stack


def test_a_copy_keeps_what_it_held():
    stack = make_stack([1, 2])
    before = copy.copy(stack)
    stack.push(3)
    assert before == [1, 2]
    assert stack == [1, 2, 3]
