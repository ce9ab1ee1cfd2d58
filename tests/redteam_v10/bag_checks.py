from solution import make_bag


def test_added():
    bag = make_bag([1, 2])
    assert bag.added(3) == ([1, 2, 3],)


def test_added_leaves_the_bag_alone():
    bag = make_bag([1, 2])
    bag.added(3)
    assert bag == ([1, 2],)
    assert bag[0] == [1, 2]
