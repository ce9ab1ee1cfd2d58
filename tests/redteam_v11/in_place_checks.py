import collections

from solution import bump, bump_first


def test_ordered_dict_bumped_while_iterated():
    counts = collections.OrderedDict(a=1, b=2, c=3)
    for key in counts:
        bump(counts, key)
    assert counts == {"a": 2, "b": 3, "c": 4}


def test_counter_bumped_while_iterated():
    counts = collections.Counter("aabbbc")
    del counts["a"]
    for key in counts:
        bump(counts, key)
    assert counts == {"b": 4, "c": 2}


def test_deque_front_bumped_while_iterated():
    queue = collections.deque([1, 2, 3])
    for _ in queue:
        bump_first(queue)
    assert list(queue) == [4, 2, 3]
