from solution import Inventory


def test_items():
    inv = Inventory()
    inv.add("apple")
    assert inv.get_items() == ["apple"]


def test_get_items_returns_a_copy():
    inv = Inventory()
    inv.add("apple")
    items = inv.get_items()
    items.append("pear")
    assert inv.get_items() == ["apple"]
