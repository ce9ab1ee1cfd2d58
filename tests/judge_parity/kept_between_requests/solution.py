class Inventory:
    def __init__(self, items):
        self._items = items

    def items(self):
        return list(self._items)

    def count(self):
        return len(self._items)


class Registry:
    def __init__(self, log=None):
        self._log = [] if log is None else log

    def add(self, name):
        self._log.append(name)

    def log(self):
        return self._log


def fresh_board():
    return [[" "] * 3 for _ in range(3)]
