from solution import Inventory, Registry, fresh_board


def test_a_getter_gives_a_copy():
    inventory = Inventory(["apple"])
    items = inventory.items()
    items.append("pear")
    assert inventory.items() == ["apple"]


def test_a_fresh_board_each_time():
    first = fresh_board()
    first[0][0] = "X"
    second = fresh_board()
    assert second[0][0] == " "
    assert first is not second


def test_the_inventory_keeps_the_list_it_was_given():
    given = ["apple"]
    inventory = Inventory(given)
    given.append("pear")
    assert inventory.count() == 2


def test_the_log_is_live():
    registry = Registry()
    log = registry.log()
    registry.add("a")
    assert log == ["a"]
    assert registry.log() is log


def test_a_log_given_is_the_registrys():
    shared = []
    registry = Registry(shared)
    registry.add("a")
    assert shared == ["a"]
