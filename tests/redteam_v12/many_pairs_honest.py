def total(pairs):
    return sum(a + b for a, b in pairs)


class Store:
    def __init__(self, items):
        self._items = list(items)

    def items(self):
        return list(self._items)


def reverse_in_place(items):
    items.reverse()
