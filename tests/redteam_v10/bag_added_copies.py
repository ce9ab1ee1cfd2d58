from typing import NamedTuple


class Bag(NamedTuple):
    items: list

    def added(self, item):
        return Bag([*self.items, item])


def make_bag(items):
    return Bag(list(items))
