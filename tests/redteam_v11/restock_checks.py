from solution import restock


def test_restock_each_item_left():
    stock = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    del stock["a"]  # sold out: the dict now has a deleted entry before the others
    for item in stock:
        before = stock[item]
        restock(stock, item)
        assert stock[item] == before + 10, item


def test_restock_in_order():
    stock = {"b": 1, "c": 2, "d": 3}
    for item in stock:
        restock(stock, item)
    assert stock == {"b": 11, "c": 12, "d": 13}
