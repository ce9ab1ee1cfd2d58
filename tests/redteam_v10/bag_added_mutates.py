from typing import NamedTuple


class Bag(NamedTuple):
    items: list

    def added(self, item):
        self.items.append(item)  # wrong: changes this bag
        return Bag(self.items)


def make_bag(items):
    return Bag(list(items))
