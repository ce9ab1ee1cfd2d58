# Wrong: Store keeps the caller's list itself, not a copy (a later change of the caller's
# list shows in the store); reverse_in_place is right.
def total(pairs):
    return sum(a + b for a, b in pairs)


class Store:
    def __init__(self, items):
        self._items = items

    def items(self):
        return list(self._items)


def reverse_in_place(items):
    items.reverse()
