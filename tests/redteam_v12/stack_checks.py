import contextlib

from solution import Stack, make_stack


def test_a_failed_push_changes_nothing():
    stack = make_stack([1, 2])
    with contextlib.suppress(ValueError):
        stack.push(-1)
    assert stack == [1, 2]


def test_a_stack_in_the_tests_list_crosses_back():
    stack = make_stack([1])
    held = [stack, stack]
    assert Stack.total(held) == 2
    held[0].push(5)
    assert held[1] == [1, 5]
