from solution import collect, drop_all


class Logged(list):
    """The tests' list that records what is appended to it."""

    def __init__(self, *args):
        super().__init__(*args)
        self.log = []

    def append(self, item):
        self.log.append(item)
        super().append(item)


class Upper(list):
    def append(self, item):
        super().append(item.upper())


class Counted(dict):
    def __init__(self, *args):
        super().__init__(*args)
        self.popped = []

    def pop(self, key, *default):
        self.popped.append(key)
        return super().pop(key, *default)


def test_collect_appends_each():
    out = Logged()
    collect(out, ["x", "y"])
    assert out.log == ["x", "y"]


def test_collect_through_the_lists_append():
    out = Upper()
    collect(out, ["a", "b"])
    assert out == ["A", "B"]


def test_drop_all_pops_each():
    table = Counted({"a": 1, "b": 2, "c": 3})
    drop_all(table, ["a", "c"])
    assert table == {"b": 2} and table.popped == ["a", "c"]
